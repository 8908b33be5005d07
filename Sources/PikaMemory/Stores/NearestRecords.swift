/// A ``VectorSearchingStore``'s answer to a nearest-neighbour search: labels and similarities,
/// best first, with each hit's record turned into a ``MemoryRecord`` only when asked for.
///
/// A hybrid search ranks the user's 100 nearest memories but answers with its top 10: mapping every
/// candidate (strings, metadata and provenance decoded, dates built) cost more than the vector scan
/// that found them (`perf` of a new-question search, docs/benchmarks.md).
public struct NearestRecords: Sendable {
    /// The hits, best first: each record's label and its cosine similarity to the query.
    public let hits: [(label: UInt64, similarity: Float)]
    private let mapped: @Sendable (Int) throws -> MemoryRecord

    /// `hits`, best first; `record` turns the hit at a position into a ``MemoryRecord`` on demand
    /// (a store passes a closure over its own search results, so they are not copied one by one,
    /// and a segment store decodes only the records asked for: it throws if one is damaged).
    public init(hits: [(label: UInt64, similarity: Float)], record: @escaping @Sendable (Int) throws -> MemoryRecord) {
        self.hits = hits
        mapped = record
    }

    /// No hits.
    public init() {
        hits = []
        mapped = { _ in preconditionFailure("no hits") }
    }

    /// The record of the hit labelled `label`, nil when the search did not return it.
    /// - Complexity: O(hits): a search returns up to a few hundred hits, and a caller asks for a few.
    public func record(label: UInt64) throws -> MemoryRecord? {
        try hits.firstIndex { $0.label == label }.map(mapped)
    }

    /// Every hit's record with its similarity, best first.
    public func records() throws -> [(record: MemoryRecord, similarity: Float)] {
        try hits.indices.map { (try mapped($0), hits[$0].similarity) }
    }
}
