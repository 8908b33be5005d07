import Logging
import PikaDataStore
import ServiceLifecycle

/// Seals and compacts the memory store in the background (``MaintenancePolicy``), every `interval`,
/// and seals once more at graceful shutdown so the next start has no log tail to replay.
public struct SegmentMaintenanceService: Service {
    let store: SegmentMemoryStore
    let policy: MaintenancePolicy
    let interval: Duration
    let logger: Logger

    /// Creates the service.
    public init(
        store: SegmentMemoryStore, policy: MaintenancePolicy = MaintenancePolicy(), interval: Duration = .seconds(1), logger: Logger
    ) {
        self.store = store
        self.policy = policy
        self.interval = interval
        self.logger = logger
    }

    /// Runs passes until graceful shutdown, then seals.
    public func run() async throws {
        await periodically(every: interval) {
            let report = try await store.maintain(policy)
            if report.sealed || report.compacted {
                logger.info("memory store maintenance", metadata: ["sealed": "\(report.sealed)", "compacted": "\(report.compacted)"])
            }
        } failed: { error in
            logger.error("memory store maintenance failed", metadata: ["error": "\(error)"])
        }
        do {
            try await store.seal()
        } catch {
            logger.error("seal at shutdown failed; the next start replays the log", metadata: ["error": "\(error)"])
        }
    }
}
