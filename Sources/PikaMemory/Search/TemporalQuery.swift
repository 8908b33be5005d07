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
        // Every date expression holds one of its language's time words or a four-digit year: a query
        // with neither names no time, and most queries ("what does Minh like?", "order 12 of room 7")
        // skip the dozens of expressions (measured in docs/benchmarks.md); the rest run one combined
        // pattern before the expressions one by one.
        let hasYear = holdsFourDigitNumber(query)
        var words: [String]?
        // Only languages that read the query: Vietnamese patterns never run on an English query.
        for language in rewriter.languages where language.language.recognizes(query) {
            if !hasYear, let timeWords = language.timeWords {
                if words == nil { words = query.lowercased().split(whereSeparator: { !$0.isLetter }).map(String.init) }
                guard words!.contains(where: timeWords.contains) else { continue }
            }
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

    /// Whether `query` holds a run of exactly four digits that no letter, digit or underscore
    /// touches: the year every date expression without a time word needs ("in 2021", "5/12/2026";
    /// the patterns' `\d{4}\b` after a space or separator). Errs towards true: any non-ASCII scalar
    /// counts as a separator, and non-ASCII decimal digits (which `\d` matches) count as digits.
    static func holdsFourDigitNumber(_ query: String) -> Bool {
        var run = 0
        var runStartsClear = true
        var previousIsWord = false
        for scalar in query.unicodeScalars {
            let isDigit = scalar.isASCII ? ("0"..."9").contains(scalar) : scalar.properties.numericType == .decimal
            if isDigit {
                if run == 0 { runStartsClear = !previousIsWord }
                run += 1
                continue
            }
            let isWord = scalar.isASCII && (scalar.properties.isAlphabetic || scalar == "_")
            if run == 4 && runStartsClear && !isWord { return true }
            run = 0
            previousIsWord = isWord
        }
        return run == 4 && runStartsClear
    }
}
