import PikaMemory
import PikaRelational

extension SegmentMemoryStore {
    /// See ``MemoryRecordStore/users(tenant:after:limit:)``: the tenant's users from the `scopes`
    /// table, by user id, each counted in the segment store; users with no live memory are skipped.
    public func users(tenant: String, after: String?, limit: Int) async throws -> [UserMemoryCount] {
        let batchSize = 256
        var found: [UserMemoryCount] = []
        var cursor = after ?? ""
        while found.count < limit {
            let from = cursor
            let batch: [(user: String, number: UInt32)] = try await database.read { db in
                try db.query(
                    "SELECT user_id, number FROM scopes WHERE tenant = ? AND user_id > ? ORDER BY user_id LIMIT ?",
                    [.text(tenant), .text(from), .int(batchSize)]
                ).map { ($0.string(0) ?? "", UInt32(truncatingIfNeeded: $0.int64(1))) }
            }
            for scope in batch where found.count < limit {
                let count = directory.liveCount(tenant: scope.number)
                if count > 0 { found.append(UserMemoryCount(userID: scope.user, memoryCount: count)) }
            }
            guard batch.count == batchSize, let last = batch.last else { break }
            cursor = last.user
        }
        return found
    }

    /// See ``VectorSearchingStore/scopesWithRecords()``: the `scopes` table, each scope counted in
    /// the segment store in one pass (``DataDirectory/liveCounts()``); scopes with none are left out.
    public func scopesWithRecords() async throws -> [(scope: MemoryScope, records: Int)] {
        let scopes: [(scope: MemoryScope, number: UInt32)] = try await database.read { db in
            try db.query("SELECT tenant, user_id, number FROM scopes", []).map {
                (MemoryScope(tenant: $0.string(0) ?? "", userID: $0.string(1) ?? ""), UInt32(truncatingIfNeeded: $0.int64(2)))
            }
        }
        let counts = directory.liveCounts()
        return scopes.compactMap { entry in counts[entry.number].map { (entry.scope, $0) } }
    }
}
