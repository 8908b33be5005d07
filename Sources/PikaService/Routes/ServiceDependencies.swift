import Logging
import Metrics
import PikaDataStore
import PikaMemory
import PikaRelational
import Prometheus

/// What the routes and workers share.
public struct ServiceDependencies: Sendable {
    /// The domain.
    public let manager: MemoryManager
    /// The job queue.
    public let jobs: any JobQueue
    /// Runs jobs (workers and the synchronous add path).
    public let runner: JobRunner
    /// API keys.
    public let keys: any APIKeyStore
    /// The relational database (readiness).
    public let database: SQLiteDatabase
    /// Prometheus registry behind `/metrics`.
    public let registry: PrometheusCollectorRegistry
    /// The metrics factory feeding the registry.
    public let metricsFactory: PrometheusMetricsFactory
    /// Settings.
    public let configuration: ServiceConfiguration
    /// Logger.
    public let logger: Logger
    /// Searches through the cache tiers (L0 → L1 → L2 → engine with L3).
    public let search: TieredSearch
    /// Where jobs, keys, graph, summaries and the audit log live (SQLite or PostgreSQL).
    public let backends: StoreBackends
    /// The data directory's segment store of memories (nil when memories live in the shared SQLite
    /// file beside PostgreSQL).
    public var memoryStore: SegmentMemoryStore? = nil
}
