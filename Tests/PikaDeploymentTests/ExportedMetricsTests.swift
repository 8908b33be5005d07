import Foundation
import PikaTestSupport
import Testing

@Suite("Metrics named by the dashboard and alerts are exported", .blockingWork)
struct ExportedMetricsTests {
    /// Series Prometheus makes itself for every scrape target (not the service's).
    static let prometheusSeries: Set<String> = ["up"]

    @Test func everyMetricInTheDashboardAndAlertRulesIsExported() async throws {
        var named: [String: Set<String>] = [:]  // metric -> where it is used
        for expression in try DeploymentFiles.dashboardExpressions() {
            for name in PromQLNames.metrics(in: expression) { named[name, default: []].insert(DeploymentFiles.dashboard) }
        }
        for name in try DeploymentFiles.dashboardVariableMetrics() {
            named[name, default: []].insert("\(DeploymentFiles.dashboard) variables")
        }
        for (alert, expression) in try DeploymentFiles.alertRules() {
            for name in PromQLNames.metrics(in: expression) { named[name, default: []].insert("alert \(alert)") }
        }
        #expect(named.count >= 15, "expected many metric names, found \(named.keys.sorted())")
        let exported = MetricsExposition(try await SharedService.observation.value.metricsText).names
        let missing = named.keys.filter { !exported.contains($0) && !Self.prometheusSeries.contains($0) }.sorted()
        for name in missing {
            Issue.record("\(name) (used by \(named[name]!.sorted().joined(separator: ", "))) is not in the service's /metrics")
        }
    }

    /// The cache panels show every tier the seed names: L0 session, L1 results, L2 summaries, L3 embeddings.
    @Test func cacheMetricsCarryEveryLayer() async throws {
        let exposition = MetricsExposition(try await SharedService.observation.value.metricsText)
        let layers: Set<String> = ["l0", "l1", "l2", "l3"]
        let lookups = exposition.values(of: "layer", in: "cache_hits_total").union(exposition.values(of: "layer", in: "cache_misses_total"))
        #expect(layers.isSubset(of: lookups), "cache_hits_total/cache_misses_total lack layers \(layers.subtracting(lookups).sorted())")
        let rates = exposition.values(of: "layer", in: "cache_hit_rate")
        #expect(layers.isSubset(of: rates), "cache_hit_rate lacks layers \(layers.subtracting(rates).sorted())")
        let sizes = exposition.values(of: "layer", in: "cache_size_bytes")
        #expect(!sizes.isEmpty, "cache_size_bytes has no layer")
    }
}
