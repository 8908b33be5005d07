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
        for language in rewriter.languages where language.anyDate.firstMatch(in: query, range: range) != nil {
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
