import ArgumentParser
import PikaEngine
import PikaStorage

/// `pika index rebuild`: rebuilds every segment's graph from the stored vectors.
struct IndexRebuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rebuild",
        abstract: "Rebuild the HNSW graphs from stored vectors and switch to them atomically.",
        discussion: """
            Reads the memory-mapped vectors of each sealed segment, builds a new graph with the \
            given parameters, then switches with one atomic manifest write; searches continue on \
            the old graphs meanwhile. Shows a progress bar on a terminal and prints a JSON summary.
            """
    )

    @OptionGroup var dataDir: DataDirectoryOption

    @Option(help: "Links per node on the upper layers (default: the directory's current value).")
    var m: Int?

    @Option(help: "Beam width while inserting (default: the directory's current value).")
    var efConstruction: Int?

    @Option(help: "Threads that insert in parallel.")
    var threads: Int = 1

    func validate() throws {
        if let m, !(2...256).contains(m) { throw ValidationError("--m must be between 2 and 256") }
        if let efConstruction, efConstruction < 1 { throw ValidationError("--ef-construction must be at least 1") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be between 1 and 64") }
    }

    func run() async throws {
        // A running service owns the directory: it rebuilds, beside its searches and writes.
        let request =
            #"{"m":\#(m.map(String.init) ?? "null"),"ef_construction":\#(efConstruction.map(String.init) ?? "null"),"threads":\#(threads)}"#
        if let answer = try await ControlClient.post(directory: dataDir.path, path: "/internal/v1/rebuild", body: request) {
            return print(answer)
        }
        let store = try IndexDirectory.open(dataDir.path, readOnly: false)
        let rows = store.stats().segments.reduce(0) { $0 + $1.rows }
        let progress = Progress("rebuilding", total: rows)
        let started = ContinuousClock.now
        do {
            try store.rebuild(m: m, efConstruction: efConstruction, threads: threads, progress: { done, _ in progress.update(done) })
        } catch {
            throw fail(error.description, status: 1)
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        print(
            #"{"rows":\#(rows),"m":\#(m ?? store.configuration.m),"ef_construction":\#(efConstruction ?? store.configuration.efConstruction),"#
                + #""threads":\#(threads),"rebuild_s":\#(format(seconds, 3))}"#)
    }
}
