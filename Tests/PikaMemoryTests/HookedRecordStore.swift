import PikaMemory
import Synchronization

@testable import PikaRelational

/// The SQLite record store, counting the `apply` transactions it is asked for, calling a hook
/// after each `allRecords` has read the store and before it returns (a keyword-index build that
/// read the store and has not finished), and failing `records(labels:)` on demand.
final class HookedRecordStore: MemoryRecordStore {
    let base: SQLiteMemoryStore
    /// The number of mutations in each `apply` call, in order.
    let applied = Mutex<[Int]>([])
    /// While true, `records(labels:)` throws ``Unreadable`` (a store that cannot be read).
    let recordsByLabelsFail = Mutex(false)

    /// What `records(labels:)` throws while ``recordsByLabelsFail`` is set.
    struct Unreadable: Error {}
    private let afterAllRecords: @Sendable (MemoryScope) async -> Void

    init(base: SQLiteMemoryStore, afterAllRecords: @escaping @Sendable (MemoryScope) async -> Void = { _ in }) {
        self.base = base
        self.afterAllRecords = afterAllRecords
    }

    func apply(_ mutations: [MemoryMutation]) async throws -> [MemoryRecord] {
        applied.withLock { $0.append(mutations.count) }
        return try await base.apply(mutations)
    }
    func allRecords(scope: MemoryScope) async throws -> [MemoryRecord] {
        let records = try await base.allRecords(scope: scope)
        await afterAllRecords(scope)
        return records
    }
    func scopeNumber(for scope: MemoryScope, create: Bool) async throws -> UInt32? {
        try await base.scopeNumber(for: scope, create: create)
    }
    func record(id: String, tenant: String) async throws -> MemoryRecord? { try await base.record(id: id, tenant: tenant) }
    func records(labels: [UInt64]) async throws -> [MemoryRecord] {
        if recordsByLabelsFail.withLock({ $0 }) { throw Unreadable() }
        return try await base.records(labels: labels)
    }
    func records(
        scope: MemoryScope, agentID: String?, runID: String?, afterLabel: UInt64, limit: Int
    ) async throws
        -> [MemoryRecord]
    {
        try await base.records(scope: scope, agentID: agentID, runID: runID, afterLabel: afterLabel, limit: limit)
    }
    func record(scope: MemoryScope, attribute: String) async throws -> MemoryRecord? {
        try await base.record(scope: scope, attribute: attribute)
    }
    func history(memoryID: String, tenant: String) async throws -> [HistoryEntry] {
        try await base.history(memoryID: memoryID, tenant: tenant)
    }
    func users(tenant: String, after: String?, limit: Int) async throws -> [UserMemoryCount] {
        try await base.users(tenant: tenant, after: after, limit: limit)
    }
    func deleteScope(_ scope: MemoryScope) async throws -> [UInt64] { try await base.deleteScope(scope) }
    func forEachEmbedding(_ body: @escaping @Sendable (UInt64, UInt32, [Float]) -> Void) async throws {
        try await base.forEachEmbedding(body)
    }
}
