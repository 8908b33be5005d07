import Foundation

/// The time span a search query asks about ("last summer", "in May 2023", "two weeks ago",
/// "yesterday"), found with the same language rules that resolve dates in events
/// (``EventLanguage/dateExpressions`` and ``EventLanguage/absoluteDates``).
public enum TemporalQuery {
    /// The first time expression of `query`, resolved against `reference` (the request's
    /// `reference_time`, else now); nil when the query names no time.
    public static func span(in query: String, reference: Date, rewriter: EventRewriter = .shared) -> DateSpan? {
        let range = NSRange(query.startIndex..., in: query)
        var best: (location: Int, span: DateSpan)?
        // A query without a digit and without any language's time word names no time: most queries
        // ("what does Minh like?") skip the dozens of expressions (measured in docs/benchmarks.md);
        // the rest run one combined pattern before the expressions one by one.
        let words = Set(query.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init))
        let hasDigit = query.utf8.contains { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        // Only languages that read the query: Vietnamese patterns never run on an English query.
        for language in rewriter.languages where language.language.recognizes(query) {
            if !hasDigit, let timeWords = language.timeWords, timeWords.isDisjoint(with: words) { continue }
            guard language.anyDate.firstMatch(in: query, range: range) != nil else { continue }
            for (regex, expression) in language.absoluteDates + language.dates {
                guard let match = regex.firstMatch(in: query, range: range) else { continue }
                let captures = (0..<match.numberOfRanges).map { group in
                    Range(match.range(at: group), in: query).map { String(query[$0]) } ?? ""
                }
                guard let span = expression.shift(captures)?.resolve(against: reference) else { continue }
                // The earliest expression wins; at one position, the first listed (absolute dates
                // before relative ones, longer forms before their parts).
                if best == nil || match.range.location < best!.location { best = (match.range.location, span) }
            }
        }
        return best?.span
    }
}
