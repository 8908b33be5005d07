import ArgumentParser
import PikaStorage

/// `pika index stats`: counts, segments, tenants, bytes and tombstones of a data directory.
struct IndexStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Print a data directory's counts, segments, tenants, bytes and tombstones as one JSON object."
    )

    @OptionGroup var dataDir: DataDirectoryOption

    func run() throws {
        let store = try IndexDirectory.open(dataDir.path)
        let s = store.stats()
        let segments = s.segments.map { g in
            #"{"id":\#(g.id),"file":\#(jsonString(g.file)),"rows":\#(g.rows),"tombstones":\#(g.tombstones),"#
                + #""tenants":\#(g.tenants),"bytes":\#(g.bytes)}"#
        }
        print(
            #"{"records":\#(s.records),"growing_records":\#(s.growingRecords),"segments":[\#(segments.joined(separator: ","))],"#
                + #""damaged_segments":[\#(s.damagedSegments.map(jsonString).joined(separator: ","))],"#
                + #""tenants":\#(s.tenants),"tombstones":\#(s.tombstones),"wal_bytes":\#(s.walBytes),"#
                + #""bytes":\#(s.totalBytes),"generation":\#(s.generation),"checkpoint_lsn":\#(s.checkpointLSN),"#
                + #""dimension":\#(store.configuration.dimension),"metric":"\#(store.configuration.metric.rawValue)"}"#
        )
    }
}
