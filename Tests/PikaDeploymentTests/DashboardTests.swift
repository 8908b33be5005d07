import Foundation
import PikaMemory
import PikaTestSupport
import Testing

@Suite("Grafana dashboard", .blockingWork)
struct DashboardTests {
    /// The seed's dashboards (section 6.2) as rows, each with the panels it must have.
    static let expectedRows: [(row: String, panels: [String])] = [
        ("Overview", ["Service up", "Requests/s", "Error rate (5xx)", "Throughput by endpoint"]),
        (
            "Performance",
            [
                "Search latency p50 / p95 / p99", "Request latency p95 by endpoint", "Vector engine query latency",
                "Graph query latency", "Extraction job duration",
            ]
        ),
        (
            "Cache",
            [
                "Overall cache hit rate", "Hit rate by layer (5 min)", "Hit rate by layer (since start)",
                "Hits and misses by layer", "Cache size by layer",
            ]
        ),
        ("Reliability", ["Uptime (dashboard range)", "Error rate by endpoint", "Job success rate", "Jobs by status"]),
    ]

    @Test func parsesAndHasTheSeedsRowsAndPanels() throws {
        let dashboard = try RepositoryFile.json(DeploymentFiles.dashboard)
        #expect(dashboard["uid"]?.stringValue == "pika-memory")
        let panels = try DeploymentFiles.panels()
        var byRow: [String: [String]] = [:]
        var current = ""
        for panel in panels {
            let title = panel["title"]?.stringValue ?? ""
            if panel["type"]?.stringValue == "row" { current = title } else { byRow[current, default: []].append(title) }
        }
        for (row, expected) in Self.expectedRows {
            let titles = byRow[row] ?? []
            #expect(!titles.isEmpty, "no row \(row)")
            for title in expected { #expect(titles.contains(title), "row \(row) has no panel \(title)") }
        }
        let ids = panels.compactMap { $0["id"] }
        #expect(Set(ids).count == panels.count, "every panel needs its own id")
        for panel in panels where panel["type"]?.stringValue != "row" {
            let title = panel["title"]?.stringValue ?? "?"
            let targets = panel["targets"]?.elements ?? []
            #expect(!targets.isEmpty && targets.allSatisfy { ($0["expr"]?.stringValue ?? "").isEmpty == false }, "\(title): no query")
            #expect(panel["datasource"]?["uid"]?.stringValue == "${datasource}", "\(title): not on the data source variable")
            let width = panel["gridPos"]?["w"]
            let x = panel["gridPos"]?["x"]
            if case .number(let w)? = width, case .number(let left)? = x { #expect(left + w <= 24, "\(title) overflows the grid") }
        }
    }

    @Test func metricNamesAreReadFromExpressions() {
        #expect(
            PromQLNames.metrics(
                in:
                    #"histogram_quantile(0.95, sum by (le, path) (rate(http_request_duration_seconds_bucket{job=~"$job",path=~"/a|/b"}[5m])))"#
            )
                == ["http_request_duration_seconds_bucket"])
        #expect(
            PromQLNames.metrics(
                in: "sum(rate(cache_hits_total[30m])) / (sum(rate(cache_hits_total[30m])) + sum(rate(cache_misses_total[30m]))) < 0.4")
                == ["cache_hits_total", "cache_misses_total"])
        #expect(
            PromQLNames.metrics(in: #"avg(avg_over_time(up{job=~"$job"}[$__range])) > 1e3 and on (job) jobs offset 5m"#) == ["jobs", "up"])
    }
}
