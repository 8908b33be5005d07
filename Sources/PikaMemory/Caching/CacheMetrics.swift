import Metrics
import Synchronization

/// Per-tier cache counters with the seed's names: `cache_hits_total{layer}`,
/// `cache_misses_total{layer}`, `cache_hit_rate{layer}` (hits / lookups since start), plus
/// `cache_errors_total{layer}` (lookups skipped because the backend failed or was unreachable) and
/// `search_answers_total{source}` (which tier answered each search: l0, l1, l2 or engine).
///
/// Every layer's series is created at start (counters at 0, hit rate 0), so they appear in
/// `/metrics` from the first scrape.
public final class CacheMetrics: Sendable {
    /// How one lookup went.
    public enum Outcome: Sendable {
        /// Served from the tier.
        case hit
        /// Looked up, not there (or not current).
        case miss
        /// Not looked up: the backend failed or is unavailable.
        case error
    }

    private struct Layer: Sendable {
        let hits: Counter
        let misses: Counter
        let errors: Counter
        let hitRate: Gauge
        let size: Gauge
    }

    private let layers: [CacheLayer: Layer]
    private let counts = Mutex<[CacheLayer: (hits: Int, lookups: Int)]>([:])
    private let answers: [String: Counter]

    /// Creates (and registers) the metrics through `factory` (a no-op factory when nil).
    public init(factory: (any MetricsFactory)? = nil) {
        let factory: any MetricsFactory = factory ?? NOOPMetricsHandler.instance
        var layers: [CacheLayer: Layer] = [:]
        for layer in CacheLayer.allCases {
            let dimensions = [("layer", layer.rawValue)]
            let entry = Layer(
                hits: Counter(label: "cache_hits_total", dimensions: dimensions, factory: factory),
                misses: Counter(label: "cache_misses_total", dimensions: dimensions, factory: factory),
                errors: Counter(label: "cache_errors_total", dimensions: dimensions, factory: factory),
                hitRate: Gauge(label: "cache_hit_rate", dimensions: dimensions, factory: factory),
                size: Gauge(label: "cache_size_bytes", dimensions: dimensions, factory: factory))
            entry.hits.increment(by: 0)
            entry.misses.increment(by: 0)
            entry.errors.increment(by: 0)
            entry.hitRate.record(0)
            entry.size.record(0)
            layers[layer] = entry
        }
        self.layers = layers
        var answers: [String: Counter] = [:]
        for source in CacheLayer.allCases.map(\.rawValue) + ["engine"] where source != "l3" {
            let counter = Counter(label: "search_answers_total", dimensions: [("source", source)], factory: factory)
            counter.increment(by: 0)
            answers[source] = counter
        }
        self.answers = answers
    }

    /// Counts one lookup of `layer`.
    public func record(_ layer: CacheLayer, _ outcome: Outcome) {
        guard let metrics = layers[layer] else { return }
        switch outcome {
        case .hit: metrics.hits.increment()
        case .miss: metrics.misses.increment()
        case .error: metrics.errors.increment()
        }
        counts.withLock { counts in
            var count = counts[layer, default: (0, 0)]
            count.lookups += 1
            if outcome == .hit { count.hits += 1 }
            counts[layer] = count
            metrics.hitRate.record(Double(count.hits) / Double(count.lookups))
        }
    }

    /// Counts a search answered by `layer` (nil: by the engine).
    public func answered(by layer: CacheLayer?) {
        answers[layer?.rawValue ?? "engine"]?.increment()
    }

    /// Sets `cache_size_bytes{layer}` (in-process tiers; Redis reports its own memory).
    public func recordSize(_ layer: CacheLayer, bytes: Int) {
        layers[layer]?.size.record(Double(bytes))
    }

    /// Hits / lookups of `layer` since start (0 before the first lookup).
    public func hitRate(_ layer: CacheLayer) -> Double {
        counts.withLock { counts in
            guard let count = counts[layer] else { return 0 }
            return Double(count.hits) / Double(max(1, count.lookups))
        }
    }
}
