import ArgumentParser
import PikaEngine

extension Metric: ExpressibleByArgument {}

/// `pika index build`: builds an index from an `.fbin` file; labels are row numbers.
struct IndexBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an index from vectors (.fbin) and optional tenants (.u32bin).",
        discussion: """
            Labels are the row numbers of the vectors file. Rows are stored grouped by tenant, \
            so each tenant's vectors are contiguous and small tenants are scanned exactly. \
            Prints progress on a terminal and, as its last line, a JSON summary.
            """
    )

    @Option(help: "Vectors: u32 count, u32 dim, then count×dim little-endian f32.")
    var vectors: String

    @Option(help: "Tenant of each row: u32 count, u32 1, then count u32.")
    var tenants: String?

    @Option(help: "Output directory (created if missing).")
    var out: String

    @Option(help: "Distance metric: ip, cos or l2.")
    var metric: Metric = .innerProduct

    @Option(help: "Links per node on the upper layers (layer 0 gets twice as many).")
    var m: Int = 16

    @Option(help: "Beam width while inserting.")
    var efConstruction: Int = 200

    @Option(help: "Threads that insert in parallel.")
    var threads: Int = 1

    @Option(help: "Filtered searches over at most this many vectors scan exactly.")
    var exactScanThreshold: Int = IndexConfiguration(dimension: 1, metric: .l2).exactScanThreshold

    func validate() throws {
        guard (2...256).contains(m) else { throw ValidationError("--m must be between 2 and 256") }
        guard efConstruction >= 1 else { throw ValidationError("--ef-construction must be at least 1") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64") }
        guard exactScanThreshold >= 0 else { throw ValidationError("--exact-scan-threshold must not be negative") }
    }

    func run() async throws {
        let data: Matrix<Float>
        var tenantOfRow: [UInt32]?
        do throws(InterchangeError) {
            data = try BinaryMatrixFile.readFloats(vectors)
            if let tenants {
                let column = try BinaryMatrixFile.readUInt32Column(tenants)
                guard column.count == data.rows else {
                    throw InterchangeError(
                        path: tenants, reason: "has \(column.count) rows but \(vectors) has \(data.rows)")
                }
                tenantOfRow = column
            }
        } catch {
            throw fail(error.description, status: 2)
        }

        var configuration = IndexConfiguration(dimension: data.columns, metric: metric)
        configuration.m = m
        configuration.efConstruction = efConstruction
        configuration.exactScanThreshold = exactScanThreshold
        let started = monotonicNanoseconds()
        let index: VectorIndex
        do throws(EngineError) {
            index = try VectorIndex(configuration: configuration)
            try insert(data, tenants: tenantOfRow, into: index)
        } catch {
            // A refused row is bad input in the vectors file.
            if let row = error.row { throw fail("\(vectors): row \(row): \(error.message)", status: 2) }
            throw fail(error.description, status: 1)
        }
        let buildSeconds = Double(monotonicNanoseconds() - started) / 1e9

        do {
            try IndexDirectory.create(out)
            try index.save(to: IndexDirectory.indexPath(out))
        } catch {
            throw fail("\(error)", status: 1)
        }
        let info = index.info
        print(
            #"{"vectors":\#(data.rows),"dim":\#(data.columns),"metric":"\#(metric.rawValue)","m":\#(m),"#
                + #""ef_construction":\#(efConstruction),"threads":\#(threads),"build_s":\#(format(buildSeconds, 3)),"#
                + #""vectors_per_s":\#(format(Double(data.rows) / max(buildSeconds, 1e-9), 1)),"#
                + #""tenants":\#(info.tenantCount),"bytes":\#(IndexDirectory.size(out)),"kernel":"\#(info.kernel.rawValue)"}"#
        )
    }

    /// Inserts in chunks, in tenant order, so progress can be shown and tenants stay contiguous.
    private func insert(_ data: Matrix<Float>, tenants: [UInt32]?, into index: VectorIndex) throws(EngineError) {
        var order = Array(0..<data.rows)
        if let tenants {
            order.sort { tenants[$0] != tenants[$1] ? tenants[$0] < tenants[$1] : $0 < $1 }
        }
        let chunk = 20_000
        let progress = Progress("building", total: data.rows)
        var done = 0
        while done < data.rows {
            let rows = order[done..<min(done + chunk, data.rows)]
            var chunkVectors = [Float]()
            chunkVectors.reserveCapacity(rows.count * data.columns)
            for row in rows { chunkVectors.append(contentsOf: data.row(row)) }
            do {
                try index.add(
                    labels: rows.map { UInt64($0) }, tenants: tenants.map { t in rows.map { t[$0] } },
                    vectors: chunkVectors, threads: threads)
            } catch {
                // Map the row within the chunk back to the file's row number.
                throw EngineError(code: error.code, message: error.message, row: error.row.map { rows[rows.startIndex + $0] })
            }
            done += rows.count
            progress.update(done)
        }
    }
}

/// `value` with `digits` decimals, for JSON output.
func format(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "0" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    return "\(rounded)"
}
