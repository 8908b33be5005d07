import ArgumentParser
import PikaService

/// `pika`: the Pika Memory command line, for operators and benchmarks.
@main
struct Pika: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pika",
        abstract: "Pika Memory: long-term memory for AI companions.",
        version: PikaVersion.current,
        subcommands: [IndexCommand.self, EmbedCommand.self, ServeCommand.self, KeysCommand.self, SnapshotCommand.self, EvalCommand.self,
                      ExportCommand.self, ImportCommand.self, WorkerCommand.self]
    )
}
