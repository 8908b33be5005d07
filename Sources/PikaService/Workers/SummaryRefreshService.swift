import Logging
import PikaMemory
import ServiceLifecycle

/// The proactive L2 worker: rebuilds a user's favourites/preferences summary soon after each write
/// to them (extraction jobs included) and whenever a search found it missing or outdated, and every
/// `interval` rebuilds the summaries older than `interval`; each rebuild warms L1 with its answers.
public struct SummaryRefreshService: Service {
    let search: TieredSearch
    let interval: Duration
    let logger: Logger

    /// Creates the worker.
    public init(search: TieredSearch, interval: Duration, logger: Logger) {
        self.search = search
        self.interval = interval
        self.logger = logger
    }

    /// Runs until graceful shutdown.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await rebuildRequested() }
            group.addTask { await refreshPeriodically() }
            try? await gracefulShutdown()
            group.cancelAll()
        }
    }

    /// Rebuilds the users asked for, as they are asked for.
    private func rebuildRequested() async {
        while !Task.isCancelled {
            await search.summaryRequests.wait()
            for scope in search.summaryRequests.take() where !Task.isCancelled {
                do {
                    try await search.rebuildSummary(scope)
                } catch {
                    logger.warning("cannot rebuild a summary", metadata: ["scope": "\(scope)", "error": "\(error)"])
                }
            }
        }
    }

    /// Every `interval`, rebuilds the summaries built more than `interval` ago.
    private func refreshPeriodically() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: interval)
                var total = 0
                while !Task.isCancelled {
                    let count = try await search.refreshSummaries(olderThan: interval)
                    total += count
                    if count < 1_000 { break }
                }
                if total > 0 { logger.info("refreshed summaries", metadata: ["users": "\(total)"]) }
            } catch is CancellationError {
                return
            } catch {
                logger.warning("summary refresh failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
