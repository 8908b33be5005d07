import ArgumentParser
import PikaRetrieval

#if canImport(Glibc)
    import Glibc
#endif

/// `pika eval`: offline quality measurements. `pika eval [retrieval] …` scores search (the
/// default subcommand, so `pika eval --dataset … --format …` runs it); `pika eval extraction …`
/// scores fact extraction. Both print a table, then one JSON object as the last line of stdout.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure retrieval (NDCG@10, recall, MRR, latency) or extraction (precision, recall, F1) quality.",
        subcommands: [EvalRetrievalCommand.self, EvalExtractionCommand.self],
        defaultSubcommand: EvalRetrievalCommand.self)
}

extension RetrievalMode: ExpressibleByArgument {}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
enum EvalProgressBar {
    static let enabled = isatty(2) != 0

    /// Draws `phase [#####.....] done/total`, at most about a hundred times per phase.
    @Sendable static func report(_ phase: String, _ done: Int, _ total: Int) {
        guard enabled, total > 0 else { return }
        let step = max(total / 100, 1)
        guard done == total || done % step == 0 else { return }
        let width = 30
        let filled = min(width, done * width / total)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandleStderr.write("\r\(phase.padding(toLength: 8, withPad: " ", startingAt: 0)) [\(bar)] \(done)/\(total)")
        if done >= total { FileHandleStderr.write("\n") }
    }
}
