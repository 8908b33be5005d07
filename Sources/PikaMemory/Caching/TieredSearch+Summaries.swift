import Foundation
import PikaEngine

extension TieredSearch {
    /// Rebuilds the user's L2 summary from their memories at their current version tag, then warms
    /// L1 with its answers. A user without memories (a deleted user) has their summary removed; one
    /// with memories but no preferences gets an empty summary (so L2 knows there is nothing to say).
    /// Returns the summary stored, if any.
    @discardableResult
    public func rebuildSummary(_ scope: MemoryScope) async throws -> FavoriteSummary? {
        guard let summaries else { return nil }
        // The tag is read before the memories: a write landing in between bumps it, so this summary
        // (possibly holding that write) is simply never used, rather than used while missing it.
        let version = try await versions.current(scope)
        // Only the slots the summary is made of are read (a segment store skims the rest).
        let (records, total) = try await manager.store.records(scope: scope, attributePrefixes: FavoriteSummary.attributePrefixes)
        let summary = FavoriteSummary(records: records, version: version)
        guard total > 0 else {
            try await summaries.delete(scope: scope)
            return nil
        }
        try await summaries.save(UserSummary(scope: scope, summary: summary.json, lastUpdated: Date()))
        await warm(scope, summary: summary)
        return summary
    }

    /// Rebuilds the summaries last rebuilt more than `age` ago, at most `limit`; returns how many.
    @discardableResult
    public func refreshSummaries(olderThan age: Duration, limit: Int = 1_000) async throws -> Int {
        guard let summaries else { return 0 }
        let stale = try await summaries.stale(before: Date().addingTimeInterval(-age.inSeconds), limit: limit)
        for scope in stale { try await rebuildSummary(scope) }
        return stale.count
    }
}
