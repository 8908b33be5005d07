/// Where memory records and their history live: the segment store of the service's data directory
/// (PikaDataStore, which also searches the vectors: ``VectorSearchingStore``), or SQLite rows read
/// into an in-memory index (the PostgreSQL deployment with `pika worker` processes, and tests).
///
/// Every call is tenant-scoped by its arguments; implementations never return another tenant's rows.
public protocol MemoryRecordStore: Sendable {
    /// The engine tenant number of a scope; with `create`, assigns one when missing.
    func scopeNumber(for scope: MemoryScope, create: Bool) async throws -> UInt32?
    /// Applies mutations and their history atomically; returns the records with their labels.
    func apply(_ mutations: [MemoryMutation]) async throws -> [MemoryRecord]
    /// A live record by id inside `tenant`, with its embedding.
    func record(id: String, tenant: String) async throws -> MemoryRecord?
    /// Live records by engine label (any order, any user), without embeddings. The start-up keyword
    /// prebuild asks it of stores that load an index (labels are unique across users there).
    func records(labels: [UInt64]) async throws -> [MemoryRecord]
    /// Live records of `scope` by engine label (any order), without embeddings.
    func records(labels: [UInt64], scope: MemoryScope) async throws -> [MemoryRecord]
    /// A scope's live records with label greater than `afterLabel`, by label, at most `limit`.
    func records(
        scope: MemoryScope, agentID: String?, runID: String?, afterLabel: UInt64, limit: Int
    ) async throws
        -> [MemoryRecord]
    /// The live record of a scope filling `attribute`, if any (consolidation).
    func record(scope: MemoryScope, attribute: String) async throws -> MemoryRecord?
    /// All live records of a scope, without embeddings (for filter evaluation).
    func allRecords(scope: MemoryScope) async throws -> [MemoryRecord]
    /// The live records of a scope whose attribute starts with one of `attributePrefixes`, by
    /// label, without embeddings; and how many live records the scope has in all (the favourites
    /// summary reads only its slots, and needs to know whether the user has any memory left).
    func records(scope: MemoryScope, attributePrefixes: [String]) async throws -> (records: [MemoryRecord], total: Int)
    /// History of a memory inside `tenant`, oldest first (also after the memory's deletion).
    func history(memoryID: String, tenant: String) async throws -> [HistoryEntry]
    /// A page of `tenant`'s users that hold at least one live memory, with their live-memory counts,
    /// ordered by user id (bytewise ascending), starting after `after` (from the first when nil), at
    /// most `limit`. Backs `GET /v1/users` and the Mem0 entity list; a user whose memories were all
    /// deleted is not listed.
    func users(tenant: String, after: String?, limit: Int) async throws -> [UserMemoryCount]
    /// Deletes everything of a scope (records and history text); returns the removed labels.
    func deleteScope(_ scope: MemoryScope) async throws -> [UInt64]
    /// Calls `body` with every live record's label, scope number and embedding (start-up index load).
    func forEachEmbedding(_ body: @escaping @Sendable (UInt64, UInt32, [Float]) -> Void) async throws
}

extension MemoryRecordStore {
    /// ``records(labels:)``, keeping the records of `scope`.
    public func records(labels: [UInt64], scope: MemoryScope) async throws -> [MemoryRecord] {
        try await records(labels: labels).filter { $0.scope == scope }
    }

    /// ``allRecords(scope:)``, keeping the records with such an attribute.
    public func records(scope: MemoryScope, attributePrefixes: [String]) async throws -> (records: [MemoryRecord], total: Int) {
        let all = try await allRecords(scope: scope)
        let kept = all.filter { record in
            record.attribute.map { attribute in attributePrefixes.contains { attribute.hasPrefix($0) } } ?? false
        }
        return (kept, all.count)
    }
}

/// A record store that keeps the vectors itself and answers a user's nearest-neighbour searches:
/// a ``MemoryManager`` over it keeps no in-memory index and loads nothing at start-up.
public protocol VectorSearchingStore: MemoryRecordStore {
    /// The user's `limit` live records most similar to `vector` (cosine), best first; with
    /// `allowed`, only records with those labels are ranked (the filter applies before the top-k cut).
    func nearest(
        _ vector: [Float], scopeNumber: UInt32, limit: Int, allowed: Set<UInt64>?
    ) async throws -> NearestRecords
    /// How many live records the store holds (all users).
    var liveCount: Int { get }
    /// Every scope holding live records, with how many (the start-up keyword prebuild's plan).
    func scopesWithRecords() async throws -> [(scope: MemoryScope, records: Int)]
}
