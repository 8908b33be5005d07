import Logging
import PikaMemory
import ServiceLifecycle

/// Builds every loaded user's keyword index once, right after start-up, in the background
/// (``MemoryManager/prebuildKeywordIndexes()``), then waits for shutdown. Readiness does not wait
/// for it: searches are answered correctly before it finishes (a user not built yet is built on
/// their first search), and `/readyz` reports `keyword_indexes: building | ready`.
public struct KeywordIndexPrebuildService: Service {
    let manager: MemoryManager
    let logger: Logger

    /// Creates the service.
    public init(manager: MemoryManager, logger: Logger) {
        self.manager = manager
        self.logger = logger
    }

    /// Prebuilds (stopping early on shutdown), then runs until graceful shutdown: a service that
    /// returned would end the whole group.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask(priority: .background) {
                do {
                    try await manager.prebuildKeywordIndexes()
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("keyword index prebuild stopped", metadata: ["error": "\(error)"])
                }
            }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }
}
