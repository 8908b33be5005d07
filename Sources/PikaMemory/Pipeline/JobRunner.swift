import Foundation
import Logging

/// Runs add jobs from a ``JobQueue``: lease, process, complete, or retry with exponential backoff and
/// dead-letter after the job's last attempt (status `failed`, error kept).
public struct JobRunner: Sendable {
    /// The queue.
    public let queue: any JobQueue
    /// The domain.
    public let manager: MemoryManager
    /// Visibility timeout of a lease.
    public var lease: Duration = .seconds(60)
    /// Backoff before the second attempt; doubled for each further one.
    public var baseBackoff: Duration = .milliseconds(200)
    /// Upper bound of the backoff.
    public var maxBackoff: Duration = .seconds(60)
    let logger: Logger

    /// Creates a runner.
    public init(queue: any JobQueue, manager: MemoryManager, logger: Logger) {
        self.queue = queue
        self.manager = manager
        self.logger = logger
    }

    /// Claims and runs one job; false when none was runnable.
    public func runOnce() async throws -> Bool {
        guard let job = try await queue.claim(now: Date(), lease: lease) else { return false }
        await process(job)
        return true
    }

    /// Runs a leased job and records its outcome; never throws (failures are recorded on the job).
    public func process(_ job: JobRecord) async {
        let started = ContinuousClock.now
        var logger = self.logger
        logger[metadataKey: "job_id"] = "\(job.id)"
        do {
            guard job.kind == "add" else { throw MemoryError(.invalidArgument, "unknown job kind \(job.kind)") }
            let input = try JSONDecoder().decode(AddInput.self, from: Data(job.payload.utf8))
            let results = try await manager.add(input, scope: job.scope)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let result = String(decoding: try encoder.encode(["results": results]), as: UTF8.self)
            try await queue.complete(id: job.id, result: result, now: Date())
            manager.metrics.jobDuration.record(duration: ContinuousClock.now - started)
            logger.debug("job completed", metadata: ["events": "\(results.count)"])
        } catch {
            let message = (error as? MemoryError)?.description ?? "\(error)"
            let permanent = (error as? MemoryError).map { $0.code == .invalidArgument } ?? (error is DecodingError)
            let retryAt: Date? =
                permanent || job.attempts >= job.maxAttempts ? nil : Date().addingTimeInterval(backoff(job.attempts))
            logger.warning("job attempt failed", metadata: ["attempt": "\(job.attempts)", "error": "\(message)",
                                                            "dead_lettered": "\(retryAt == nil)"])
            do {
                try await queue.fail(id: job.id, error: message, retryAt: retryAt, now: Date())
            } catch {
                logger.error("cannot record job failure", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Seconds to wait after attempt `attempt` (1-based) failed.
    func backoff(_ attempt: Int) -> Double {
        let base = Double(baseBackoff.components.seconds) + Double(baseBackoff.components.attoseconds) / 1e18
        let cap = Double(maxBackoff.components.seconds)
        return min(cap, base * pow(2, Double(max(0, attempt - 1))))
    }
}
