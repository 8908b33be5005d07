import ArgumentParser
import Foundation
import Logging
import PikaEmbeddings
import PikaEngine
import PikaMemory
import PikaRelational
import PikaService

/// `pika index reembed --data-dir D --embedder NAME`: re-embeds every memory of a service data
/// directory with another embedder (``Reembedding``), with a progress bar; run again after an
/// interruption, it resumes where it stopped. Refused while `pika serve` runs on the directory.
struct IndexReembedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reembed",
        abstract: "Re-embed every memory of a service data directory with another embedder (resumable).",
        discussion: """
            Writes the memories with their new vectors into memories.reembed/ in committed batches, then \
            swaps it in and records the new embedder. Until it finishes, pika serve refuses the directory \
            and names this command; running it again resumes. Stop pika serve first. Prints a JSON summary.
            """
    )

    @Option(name: .customLong("data-dir"), help: "Data directory of `pika serve` ($PIKA_DATA_DIR, default ./data).")
    var dataDirectory: String?

    @Option(help: "The new embedder: minilm, e5-small, hashing or openai (as PIKA_EMBEDDER).")
    var embedder: String

    @Option(name: .customLong("model-dir"), help: "MiniLM model directory ($PIKA_MODEL_DIR).")
    var modelDirectory: String?

    @Option(name: .customLong("batch"), help: "Memories embedded and committed together.")
    var batch: Int = 64

    func validate() throws {
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
    }

    func run() async throws {
        let directory = dataDirectory ?? ProcessInfo.processInfo.environment["PIKA_DATA_DIR"] ?? "./data"
        guard FileManager.default.fileExists(atPath: directory + "/pika.sqlite") else {
            throw fail("\(directory) is not a service data directory (no pika.sqlite)", status: 2)
        }
        var overrides = ["PIKA_DATA_DIR": directory, "PIKA_EMBEDDER": embedder]
        if let modelDirectory { overrides["PIKA_MODEL_DIR"] = modelDirectory }
        let model: any Embedder
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.resolve(environment: ProcessInfo.processInfo.environment, overrides: overrides)
            model = try PikaServer.makeEmbedder(configuration)
        } catch let error as ConfigurationError {
            throw fail(error.description, status: 2)
        } catch {
            throw fail("cannot load the embedder: \(error)", status: 2)
        }
        let database = try RelationalSchema.open(path: directory + "/pika.sqlite")
        var logger = Logger(label: "pika-reembed")
        logger.logLevel = .error
        var conversion = Reembedding(directory: directory, target: embedder, embedder: model)
        conversion.batchSize = batch
        conversion.scanCopies = configuration.scanCopies
        let started = ContinuousClock.now
        let outcome: Reembedding.Outcome
        do {
            outcome = try await conversion.run(database: database, logger: logger) { done, total in
                Progress("re-embedding", total: total).update(done)
            }
        } catch let error as MemoryError where error.code == .conflict {
            throw fail(error.message, status: 1)
        } catch {
            throw fail("\(error); what was converted is kept: run the same command again to resume", status: 1)
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        print(
            #"{"embedder":\#(jsonString(model.identity.description)),"embedded":\#(outcome.embedded),"#
                + #""resumed":\#(outcome.resumed),"seconds":\#(format(seconds, 3))}"#)
    }
}
