import PikaRelational
import PikaStorage

extension SegmentMemoryStore {
    /// One maintenance pass under `policy`: seals the growing segment when it is large or old
    /// enough, then compacts when deleted rows, the segment count or a user's deletion call for it.
    /// Searches run throughout; writes wait only for the seal's switch.
    @discardableResult
    public func maintain(_ policy: MaintenancePolicy, now: ContinuousClock.Instant = .now) async throws -> MaintenanceReport {
        var report = MaintenanceReport()
        let growing = directory.growingCount
        let erase = erasurePending.withLock { $0 }
        let oldest = oldestUnsealedWrite.withLock { $0 }
        let aged = oldest.map { now - $0 >= policy.sealAge } ?? false
        if growing >= policy.sealRecords || (growing > 0 && aged) || erase {
            try await seal()
            report.sealed = true
        }
        let occupancy = directory.segmentOccupancy
        let rows = occupancy.reduce(0) { $0 + $1.rows }
        let deleted = occupancy.reduce(0) { $0 + $1.deleted }
        let tooManyDeleted = rows > 0 && Double(deleted) >= policy.deletedShare * Double(rows)
        if tooManyDeleted || occupancy.count >= policy.maxSegments || (erase && (deleted > 0 || occupancy.count > 1)) {
            try await compact()
            report.compacted = true
        }
        if erase {
            // The history rows went with the purge (zeroed: secure_delete); the SQLite log may still
            // hold their pages until it is checkpointed and cut back.
            try await database.run { db in try db.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
            erasurePending.withLock { $0 = false }
        }
        return report
    }
}
