import ArgumentParser
import PikaEngine
import PikaStorage

extension Metric: ExpressibleByArgument {}

/// `pika index build`: builds a data directory from an `.fbin` file; labels are row numbers
/// (each record's id is its row number).
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

    @Option(help: "Output data directory (created if missing; a previous data directory there is replaced).")
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
        let (data, tenantOfRow) = try readVectors(vectors, tenants: tenants)

        var configuration = CollectionConfiguration(dimension: data.columns, metric: metric)
        configuration.m = m
        configuration.efConstruction = efConstruction
        configuration.exactScanThreshold = exactScanThreshold
        try IndexDirectory.prepareForBuild(out)
        let started = ContinuousClock.now
        let progress = Progress("building", total: data.rows)
        let now = wallClockMilliseconds()
        let records = (0..<data.rows).map { row in
            StoredRecord(id: String(row), tenant: tenantOfRow?[row] ?? 0, createdAt: now, updatedAt: now, provenance: "index build")
        }
        do throws(StorageError) {
            let store = try DataDirectory.create(at: out, configuration: configuration)
            try store.bulkLoad(records, vectors: data.values, threads: threads, progress: { done, _ in progress.update(done) })
        } catch {
            // A refused row is bad input in the vectors file.
            if error.code == .invalidVector || error.code == .dimensionMismatch {
                throw fail("\(vectors): \(error.message)", status: 2)
            }
            throw fail(error.description, status: 1)
        }
        let buildSeconds = (ContinuousClock.now - started).inSeconds
        let kernel = (try? VectorIndex(configuration: IndexConfiguration(dimension: data.columns, metric: metric)))?.info.kernel
        let tenantCount = tenantOfRow.map { Set($0).count } ?? (data.rows > 0 ? 1 : 0)
        print(
            #"{"vectors":\#(data.rows),"dim":\#(data.columns),"metric":"\#(metric.rawValue)","m":\#(m),"#
                + #""ef_construction":\#(efConstruction),"threads":\#(threads),"build_s":\#(format(buildSeconds, 3)),"#
                + #""vectors_per_s":\#(format(Double(data.rows) / max(buildSeconds, 1e-9), 1)),"#
                + #""tenants":\#(tenantCount),"bytes":\#(IndexDirectory.size(out)),"kernel":"\#(kernel?.rawValue ?? "auto")"}"#
        )
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
