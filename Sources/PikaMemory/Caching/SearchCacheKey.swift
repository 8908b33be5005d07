import Foundation

/// Everything that changes a search's answer, as one canonical string, and its hash for the key.
///
/// Two queries share an entry only when their canonical strings are equal: the trimmed text, the
/// mode, limit, threshold, agent and run, and the filter (objects with sorted keys).
struct SearchCacheKey {
    /// The canonical description (stored with the answer and compared on read).
    let canonical: String
    /// `CacheKeys.hash(canonical)`.
    let hash: String

    init(_ query: SearchQuery) {
        let parts: [String] = [
            "v1",
            "mode=\(query.mode.rawValue)",
            "limit=\(query.limit)",
            "threshold=\(query.threshold.map { String($0.bitPattern, radix: 16) } ?? "-")",
            "agent=\(query.agentID.map(Self.quoted) ?? "-")",
            "run=\(query.runID.map(Self.quoted) ?? "-")",
            "filter=\(query.filter.map(Self.canonical) ?? "-")",
            // "last week" means another span at another reference time.
            "ref=\(query.referenceTime.map { String(Int64($0.timeIntervalSince1970.rounded(.down))) } ?? "-")",
            "text=\(Self.quoted(query.text.trimmingWhitespace))",
        ]
        canonical = parts.joined(separator: "\n")
        hash = CacheKeys.hash(canonical)
    }

    private static func canonical(_ filter: MemoryFilter) -> String {
        switch filter {
        case .and(let parts): "AND[" + parts.map(canonical).joined(separator: ",") + "]"
        case .or(let parts): "OR[" + parts.map(canonical).joined(separator: ",") + "]"
        case .not(let parts): "NOT[" + parts.map(canonical).joined(separator: ",") + "]"
        case .compare(let field, let op, let value): "\(quoted(field)) \(op.rawValue) \(value.jsonText)"
        }
    }

    /// `text` as a JSON string.
    private static func quoted(_ text: String) -> String { JSONValue.string(text).jsonText }
}
