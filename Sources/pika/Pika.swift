import ArgumentParser
import Foundation
import PikaEmbeddings
import PikaService

#if canImport(Glibc)
    import Glibc
#endif

/// `pika`: the Pika Memory command line, for operators and benchmarks.
@main
struct Pika: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pika",
        abstract: "Pika Memory: long-term memory for AI companions.",
        version: PikaVersion.current,
        subcommands: [
            IndexCommand.self, EmbedCommand.self, ServeCommand.self, KeysCommand.self, SnapshotCommand.self, EvalCommand.self,
            ExportCommand.self, ImportCommand.self, WorkerCommand.self,
        ]
    )

    /// Refuses an unknown `PIKA_EMBEDDING_PRECISION` or `PIKA_EMBEDDING_SPLIT` before any command
    /// runs (exit 2, naming the value), so a typo cannot silently fall back to another setting.
    static func main() async {
        do throws(EmbeddingError) {
            _ = try EmbeddingPrecision.resolve(environment: ProcessInfo.processInfo.environment)
            _ = try QuerySplitting.resolve(environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandleStderr.write("pika: error: \(error.message)\n")
            Glibc.exit(2)
        }
        await main(nil)
    }
}
