import Logging
import PikaMemory
import PikaRedis

extension PikaServer {
    /// The cache tiers: with `PIKA_REDIS_URL`, L1, L3 and the version tags in Redis (shared by
    /// every process); without it, bounded in-process LRU caches. L0 is always in-process, L2 in `summaries`.
    public static func makeTieredSearch(
        _ configuration: ServiceConfiguration, manager: MemoryManager, summaries: any SummaryStore, metrics: CacheMetrics,
        logger: Logger
    ) throws -> TieredSearch {
        let backend: any CacheBackend
        if let url = configuration.redisURL {
            let redis: RedisConfiguration
            do {
                redis = try RedisConfiguration(url: url)
            } catch {
                throw ConfigurationError(problems: ["PIKA_REDIS_URL: \(error.message)"])
            }
            let cache = RedisCache(client: RedisClient(configuration: redis, logger: logger))
            manager.queryEmbeddings.use(cache, metrics: metrics)
            backend = cache
        } else {
            manager.queryEmbeddings.use(InProcessCache(entries: 20_000, maxBytes: 64 << 20), metrics: metrics)
            backend = InProcessCache()
        }
        return TieredSearch(manager: manager, backend: backend, summaries: summaries, metrics: metrics, settings: configuration.tiers)
    }
}
