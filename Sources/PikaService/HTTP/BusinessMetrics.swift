import Metrics

/// The service's business counters, with the seed's names.
enum BusinessMetrics {
    static func searchRequests(_ factory: any MetricsFactory) -> Counter {
        Counter(label: "search_facts_requests_total", factory: factory)
    }

    static func extractRequests(_ factory: any MetricsFactory) -> Counter {
        Counter(label: "extract_facts_requests_total", factory: factory)
    }
}
