import ArgumentParser
import Dispatch
import PikaEngine
import PikaStorage

extension SearchPlan: ExpressibleByArgument {}

/// `pika index search`: runs queries from an `.fbin` file and writes the top-k labels.
struct IndexSearchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Search an index with queries (.fbin); write top-k labels (.ibin).",
        discussion: """
            Writes each query's top-k labels to --out, best first, -1 in missing slots. \
            Prints as its last line one JSON object with the query count, k, ef, queries per \
            second, p50 and p99 latency in microseconds, and threads; only searches are timed \
            (open_ms: opening and graph loading; warm_ms: mapping every page, unless --no-warm).
            """
    )

    @Option(help: "Data directory written by `pika index build`.")
    var index: String

    @Option(help: "Queries: u32 count, u32 dim, then count×dim little-endian f32.")
    var queries: String

    @Option(help: "Results per query.")
    var k: Int = 10

    @Option(help: "Beam width of the graph search (at least k).")
    var ef: Int = 64

    @Option(help: "Tenant of each query (.u32bin); restricts its results to that tenant.")
    var queryTenants: String?

    @Option(help: "Output file of top-k labels (.ibin).")
    var out: String

    @Option(help: "Threads that search in parallel.")
    var threads: Int = 1

    @Option(help: "Force a plan: auto, exact or graph.")
    var plan: SearchPlan = .automatic

    @Flag(
        inversion: .prefixedNo, help: "Map every page of the segments before timing (warm_ms); --no-warm times first-touch page faults too."
    )
    var warm = true

    func validate() throws {
        guard k >= 1 else { throw ValidationError("--k must be at least 1") }
        guard ef >= k else { throw ValidationError("--ef must be at least --k") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64") }
    }

    func run() async throws {
        // Mapped, not read into an array: the searches read each query once.
        let (queryMatrix, tenants) = try mapVectors(queries, tenants: queryTenants)

        let opened = ContinuousClock.now
        let loaded = try IndexDirectory.open(index)
        // Graphs load lazily on the first search that needs one; load them here so the timed
        // searches measure searching (open_ms then covers what loading a whole index did).
        if plan != .exact {
            do throws(StorageError) { try loaded.loadGraphs() } catch { throw fail(error.description, status: 1) }
        }
        let openMilliseconds = (ContinuousClock.now - opened).inMilliseconds
        // A serving process maps its segments' pages once, off the request path; do it here
        // before the clock starts so the timed searches measure steady state, and report it.
        let warming = ContinuousClock.now
        if warm { loaded.prefault() }
        let warmMilliseconds = (ContinuousClock.now - warming).inMilliseconds
        guard queryMatrix.columns == loaded.configuration.dimension else {
            throw fail(
                "\(queries): queries have dimension \(queryMatrix.columns), the index has \(loaded.configuration.dimension)",
                status: 2)
        }

        // Parallelism comes from --threads; each BLAS scan stays on its caller's thread.
        BLASThreads.set(1)
        let run: SearchRun
        do throws(SearchRun.QueryFailure) {
            run = try queryMatrix.withValues { (values) throws(SearchRun.QueryFailure) in
                try SearchRun.execute(
                    index: loaded, queries: values, dimension: queryMatrix.columns, tenants: tenants, k: k, ef: ef, plan: plan,
                    threads: threads)
            }
        } catch {
            throw fail("\(queries): query \(error.row): \(error.error.message)", status: 2)
        }

        do {
            try BinaryMatrixFile.write(Matrix(rows: queryMatrix.rows, columns: k, values: run.labels), to: out)
        } catch {
            throw fail(error.description, status: 1)
        }
        let latencies = run.latencies.sorted()
        print(
            #"{"queries":\#(queryMatrix.rows),"k":\#(k),"ef":\#(ef),"#
                + #""qps":\#(format(Double(queryMatrix.rows) / max(run.wallSeconds, 1e-9), 1)),"#
                + #""p50_us":\#(format(percentile(latencies, 0.50), 1)),"p99_us":\#(format(percentile(latencies, 0.99), 1)),"#
                + #""threads":\#(threads),"open_ms":\#(format(openMilliseconds, 3)),"warm_ms":\#(format(warmMilliseconds, 3)),"#
                + #""exact_plans":\#(run.exactPlans),"graph_plans":\#(queryMatrix.rows - run.exactPlans)}"#
        )
    }
}

/// The nearest-rank percentile of sorted microsecond latencies.
func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    let rank = Int((p * Double(sorted.count)).rounded(.up))
    return sorted[min(max(rank, 1), sorted.count) - 1]
}
