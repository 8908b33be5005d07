import Metrics

/// The domain's metrics, with the seed's names, made through one swift-metrics factory.
public struct MemoryMetrics: Sendable {
    /// `facts_extracted_total`.
    public let factsExtracted: Counter
    /// `facts_searched_total`: memories returned by searches.
    public let factsSearched: Counter
    /// `job_processing_duration_seconds`.
    public let jobDuration: Metrics.Timer
    /// `milvus_query_latency_ms`: the vector engine search (the seed's name for its vector store).
    public let engineLatency: Recorder
    /// `neo4j_query_latency_ms`: graph lookups (the seed's name for its graph store).
    public let graphLatency: Recorder
    /// `memory_events_total{event}` per consolidation event.
    public let events: [MemoryEvent: Counter]

    /// Creates the metrics through `factory` (a no-op factory when nil).
    public init(factory: (any MetricsFactory)? = nil) {
        let factory: any MetricsFactory = factory ?? NOOPMetricsHandler.instance
        factsExtracted = Counter(label: "facts_extracted_total", factory: factory)
        factsSearched = Counter(label: "facts_searched_total", factory: factory)
        jobDuration = Metrics.Timer(label: "job_processing_duration_seconds", factory: factory)
        engineLatency = Recorder(label: "milvus_query_latency_ms", factory: factory)
        graphLatency = Recorder(label: "neo4j_query_latency_ms", factory: factory)
        var events: [MemoryEvent: Counter] = [:]
        for event in [MemoryEvent.add, .update, .delete, .none] {
            events[event] = Counter(label: "memory_events_total", dimensions: [("event", event.rawValue)], factory: factory)
        }
        self.events = events
    }
}
