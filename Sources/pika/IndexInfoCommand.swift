import ArgumentParser
import PikaEngine
import PikaStorage

/// `pika index info`: prints a data directory's parameters and counts as JSON.
struct IndexInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print an index's parameters and counts as one JSON object."
    )

    @Option(help: "Data directory written by `pika index build`.")
    var index: String

    func run() async throws {
        let store = try IndexDirectory.open(index)
        let c = store.configuration
        let s = store.stats()
        let kernel = (try? VectorIndex(configuration: IndexConfiguration(dimension: c.dimension, metric: c.metric)))?.info.kernel
        let nodes = s.growingRecords + s.segments.reduce(0) { $0 + $1.rows }
        print(
            #"{"dimension":\#(c.dimension),"metric":"\#(c.metric.rawValue)","m":\#(c.m),"#
                + #""ef_construction":\#(c.efConstruction),"exact_scan_threshold":\#(c.exactScanThreshold),"#
                + #""kernel":"\#(kernel?.rawValue ?? "auto")","nodes":\#(nodes),"live":\#(s.records),"#
                + #""removed":\#(s.tombstones),"tenants":\#(s.tenants),"segments":\#(s.segments.count),"#
                + #""file_bytes":\#(IndexDirectory.size(index))}"#
        )
    }
}
