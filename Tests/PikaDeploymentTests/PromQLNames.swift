import Foundation

/// The metric names a PromQL expression reads: identifiers that are not functions, keywords, label
/// names inside `{…}`/`by (…)`, durations, strings or Grafana variables.
enum PromQLNames {
    private static let keywords: Set<String> = [
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
        "inf", "nan",
    ]

    /// The metric names in `expression`, sorted.
    static func metrics(in expression: String) -> [String] {
        var text = expression
        let erase: [String] = [
            #""(?:[^"\\]|\\.)*""#,  // string literals
            #"\$\{[^}]*\}|\$\w+"#,  // Grafana variables ($job, ${__range})
            #"\{[^}]*\}"#,  // label matchers
            #"\[[^\]]*\]"#,  // range selectors
            #"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)"#,  // grouping label lists
        ]
        for pattern in erase {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        var names = Set<String>()
        let identifier = try! NSRegularExpression(pattern: #"(?<![\w.:])[A-Za-z_:][A-Za-z0-9_:]*+(?!\s*\()"#)
        let range = NSRange(text.startIndex..., in: text)
        for match in identifier.matches(in: text, range: range) {
            let name = String(text[Range(match.range, in: text)!])
            // The possessive `*+` takes whole identifiers; a number's exponent ("1e3") starts after a digit,
            // excluded by the look-behind; a function is excluded by the look-ahead.
            if !keywords.contains(name.lowercased()) { names.insert(name) }
        }
        return names.sorted()
    }
}
