import Foundation
import Logging
import PikaEngine

/// Runs add jobs from a ``JobQueue``: lease (renewed by a heartbeat while the job runs), process,
/// complete, or retry with exponential backoff and dead-letter after the job's last attempt (status
/// `failed`, error kept).
public struct JobRunner: Sendable {
    /// The queue.
    public let queue: any JobQueue
    /// The domain.
    public let manager: MemoryManager
    /// Visibility timeout of a lease (`PIKA_JOB_LEASE_SECONDS`); a running job's heartbeat renews it
    /// every third of it.
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
    ///
    /// While the job runs, a heartbeat extends its lease every third of ``lease``, so a job longer than
    /// the lease is never claimed by a second worker. If an extension finds the lease lost (this worker
    /// stalled past it and another claimed the job), the work is cancelled and nothing is recorded:
    /// completion and failure are fenced by the job's attempt number, so the new owner's result stands.
    public func process(_ job: JobRecord) async {
        let started = ContinuousClock.now
        var logger = self.logger
        logger[metadataKey: "job_id"] = "\(job.id)"
        logger[metadataKey: "attempt"] = "\(job.attempts)"
        let outcome = await runHoldingLease(job, logger: logger)
        switch outcome {
        case .leaseLost:
            logger.warning("job lease lost to another claim; this attempt's work was cancelled and is not recorded")
        case .finished(.success(let result)):
            do {
                if try await queue.complete(id: job.id, attempt: job.attempts, result: result, now: Date()) {
                    manager.metrics.jobDuration.record(duration: ContinuousClock.now - started)
                    logger.debug("job completed")
                } else {
                    logger.warning("job finished after its lease passed to another claim; result not recorded")
                }
            } catch {
                // The job stays processing: its lease runs out and another claim runs it again.
                logger.error("cannot record job completion", metadata: ["error": "\(error)"])
            }
        case .finished(.failure(let error)):
            let message = (error as? MemoryError)?.description ?? "\(error)"
            let permanent = (error as? MemoryError).map { $0.code == .invalidArgument } ?? (error is DecodingError)
            let retryAt: Date? =
                permanent || job.attempts >= job.maxAttempts ? nil : Date().addingTimeInterval(backoff(job.attempts))
            logger.warning("job attempt failed", metadata: ["error": "\(message)", "dead_lettered": "\(retryAt == nil)"])
            do {
                try await queue.fail(id: job.id, attempt: job.attempts, error: message, retryAt: retryAt, now: Date())
            } catch {
                logger.error("cannot record job failure", metadata: ["error": "\(error)"])
            }
        }
    }

    /// How a leased job's run ended.
    private enum Outcome: Sendable {
        /// The work ended: the result JSON, or its error.
        case finished(Result<String, any Error>)
        /// A heartbeat found the lease taken over; the work was cancelled.
        case leaseLost
    }

    /// Runs the job beside its heartbeat; whichever ends first cancels the other.
    private func runHoldingLease(_ job: JobRecord, logger: Logger) async -> Outcome {
        await withTaskGroup(of: Outcome?.self) { group in
            group.addTask { .finished(await execute(job)) }
            group.addTask { await heartbeat(job, logger: logger) }
            var outcome = Outcome.leaseLost
            // The heartbeat answers nil only when cancelled (the caller was); the work's outcome then follows.
            while let next = await group.next() {
                guard let next else { continue }
                outcome = next
                break
            }
            group.cancelAll()
            return outcome
        }
    }

    /// Extends the lease every third of ``lease`` until cancelled (nil) or the lease is lost.
    private func heartbeat(_ job: JobRecord, logger: Logger) async -> Outcome? {
        while true {
            do { try await Task.sleep(for: lease / 3) } catch { return nil }
            do {
                let held = try await queue.extendLease(id: job.id, attempt: job.attempts, lease: lease, now: Date())
                if !held { return .leaseLost }
            } catch {
                // The queue is unreachable: keep working and try again; if the lease runs out meanwhile,
                // the fenced completion keeps a second owner's result.
                logger.warning("cannot extend job lease", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Decodes and runs the job; the result JSON or the error.
    private func execute(_ job: JobRecord) async -> Result<String, any Error> {
        do {
            guard job.kind == "add" else { throw MemoryError(.invalidArgument, "unknown job kind \(job.kind)") }
            let input = try JSONDecoder().decode(AddInput.self, from: Data(job.payload.utf8))
            let results = try await manager.add(input, scope: job.scope, job: job.id)
            return .success(try CanonicalJSON.text(of: ["results": results]))
        } catch {
            return .failure(error)
        }
    }

    /// Seconds to wait after attempt `attempt` (1-based) failed.
    func backoff(_ attempt: Int) -> Double {
        min(maxBackoff.inSeconds, baseBackoff.inSeconds * pow(2, Double(max(0, attempt - 1))))
    }
}
