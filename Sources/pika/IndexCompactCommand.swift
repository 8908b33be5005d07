import ArgumentParser
import PikaEngine
import PikaStorage

/// `pika index compact`: seals the log, then merges segments and drops tombstones.
struct IndexCompactCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compact",
        abstract: "Seal the growing segment, then merge all segments, dropping deleted rows; prints a JSON summary."
    )

    @OptionGroup var dataDir: DataDirectoryOption

    @Option(help: "Threads that build the merged graph.")
    var threads: Int = 1

    func run() async throws {
        // A running service owns the directory: it compacts, beside its searches and writes.
        if let answer = try await ControlClient.post(directory: dataDir.path, path: "/internal/v1/compact", body: "{}") {
            return print(answer)
        }
        let store = try IndexDirectory.open(dataDir.path, readOnly: false)
        let before = store.stats()
        let started = ContinuousClock.now
        let dropped: Int?
        do {
            try store.seal(threads: threads)
            dropped = try store.compact(threads: threads)
        } catch {
            throw fail(error.description, status: 1)
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        let after = store.stats()
        print(
            #"{"segments_before":\#(before.segments.count),"segments_after":\#(after.segments.count),"#
                + #""dropped":\#(dropped ?? 0),"records":\#(after.records),"compact_s":\#(format(seconds, 3))}"#)
    }
}
