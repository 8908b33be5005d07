import Foundation
import Logging
import PikaEngine
import PikaMemory
import ServiceLifecycle

/// Deletes finished jobs older than the retention (`PIKA_JOB_RETENTION_HOURS`) in the background:
/// at start and then every `interval`, in batches, so the jobs table (whose payloads hold the
/// conversations' text) stops growing with every add.
public struct JobRetentionService: Service {
    let jobs: any JobQueue
    let retention: Duration
    let interval: Duration
    let logger: Logger
    /// Jobs deleted per statement (one short transaction each).
    static let batch = 5_000

    /// Creates the service.
    public init(jobs: any JobQueue, retention: Duration, interval: Duration = .seconds(600), logger: Logger) {
        self.jobs = jobs
        self.retention = retention
        self.interval = interval
        self.logger = logger
    }

    /// Prunes until graceful shutdown.
    public func run() async throws {
        await periodically(every: interval, immediately: true) {
            let deleted = try await pruneOnce(now: Date())
            if deleted > 0 { logger.info("deleted finished jobs past their retention", metadata: ["jobs": "\(deleted)"]) }
        } failed: { error in
            logger.warning("job retention pass failed; the next pass tries again", metadata: ["error": "\(error)"])
        }
    }

    /// Deletes every finished job last changed more than the retention before `now`; returns how many.
    public func pruneOnce(now: Date) async throws -> Int {
        let cutoff = now.addingTimeInterval(-retention.inSeconds)
        var total = 0
        while !Task.isCancelled {
            let deleted = try await jobs.prune(finishedBefore: cutoff, limit: Self.batch)
            total += deleted
            if deleted < Self.batch { break }
        }
        return total
    }
}
