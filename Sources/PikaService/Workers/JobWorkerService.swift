import Logging
import PikaMemory
import ServiceLifecycle

/// The in-process job workers: `count` loops that lease and run jobs until graceful shutdown.
///
/// A job in flight when shutdown starts is finished; jobs still queued stay in SQLite for the next start.
public struct JobWorkerService: Service {
    let runner: JobRunner
    let count: Int
    let idleDelay: Duration
    let logger: Logger

    /// Creates the workers.
    public init(runner: JobRunner, count: Int, idleDelay: Duration = .milliseconds(100), logger: Logger) {
        self.runner = runner
        self.count = count
        self.idleDelay = idleDelay
        self.logger = logger
    }

    /// Runs the loops.
    public func run() async throws {
        let recovered = try await runner.queue.recoverOrphans(now: .now)
        if recovered > 0 { logger.info("requeued jobs left processing by a previous run", metadata: ["jobs": "\(recovered)"]) }
        await withDiscardingTaskGroup { group in
            for worker in 0..<count {
                group.addTask {
                    while !Task.isShuttingDownGracefully && !Task.isCancelled {
                        do {
                            if try await runner.runOnce() { continue }
                        } catch {
                            logger.error("worker cannot claim a job", metadata: ["worker": "\(worker)", "error": "\(error)"])
                        }
                        // Returns as soon as a job is enqueued (SQLite: by this process; PostgreSQL: by any),
                        // else after the idle delay, which bounds how late a retry's backoff is noticed.
                        await runner.queue.waitForWork(timeout: idleDelay)
                    }
                }
            }
        }
    }
}
