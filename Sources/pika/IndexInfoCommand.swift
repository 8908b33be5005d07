import ArgumentParser
import PikaEngine

/// `pika index info`: prints an index's parameters and counts as JSON.
struct IndexInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Print an index's parameters and counts as one JSON object."
    )

    @Option(help: "Index directory written by `pika index build`.")
    var index: String

    func run() async throws {
        let loaded: VectorIndex
        do {
            loaded = try VectorIndex.load(from: IndexDirectory.indexPath(index))
        } catch {
            throw fail(error.description, status: error.code == .io ? 2 : 1)
        }
        let i = loaded.info
        print(
            #"{"dimension":\#(i.dimension),"metric":"\#(i.metric.rawValue)","m":\#(i.m),"#
                + #""ef_construction":\#(i.efConstruction),"exact_scan_threshold":\#(i.exactScanThreshold),"#
                + #""kernel":"\#(i.kernel.rawValue)","nodes":\#(i.nodeCount),"live":\#(i.liveCount),"#
                + #""removed":\#(i.removedCount),"tenants":\#(i.tenantCount),"memory_bytes":\#(i.memoryBytes),"#
                + #""file_bytes":\#(IndexDirectory.size(index))}"#
        )
    }
}
