import ArgumentParser
import Foundation
import PikaEmbeddings

/// `pika embed [--embedder minilm|e5-small|hashing] [--query] TEXT...`: prints a JSON array of vectors, one per text,
/// in order, and nothing else on stdout. Errors go to stderr with a non-zero exit status.
struct EmbedCommand: AsyncParsableCommand {
    /// The local embedders this command can run (a remote one is configured for the service).
    enum EmbedderKind: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// Native all-MiniLM-L6-v2 (384 dimensions); needs the model (scripts/fetch-model.sh).
        case minilm
        /// Native multilingual-e5-small (384 dimensions); needs the model (scripts/fetch-model.sh).
        case e5Small = "e5-small"
        /// Feature hashing; no model needed.
        case hashing
    }

    static let configuration = CommandConfiguration(
        commandName: "embed",
        abstract: "Print the embedding of each TEXT as a JSON array of vectors.")

    @Option(help: "Which embedder to use: minilm (default), e5-small or hashing.")
    var embedder: EmbedderKind = .minilm

    @Option(
        name: .customLong("model-dir"),
        help: "Model directory (default: $PIKA_MODEL_DIR, else models/all-MiniLM-L6-v2; e5-small: $PIKA_E5_MODEL_DIR).")
    var modelDirectory: String?

    @Flag(help: "Embed the texts as search queries (e5-small's `query: ` form) instead of stored memories (`passage: `).")
    var query = false

    @Option(help: "Vector length of the hashing embedder.")
    var dimension: Int = 384

    @Argument(help: "The texts to embed.")
    var texts: [String] = []

    func validate() throws {
        guard !texts.isEmpty else { throw ValidationError("give at least one TEXT to embed") }
        guard dimension > 0 else { throw ValidationError("--dimension must be positive") }
    }

    func run() async throws {
        let vectors: [[Float]]
        switch embedder {
        case .minilm: vectors = try await MiniLMEmbedder(directory: modelDirectory).embed(texts)
        case .e5Small:
            let e5 = try E5Embedder(directory: modelDirectory)
            vectors = try await query ? e5.embedQueries(texts) : e5.embed(texts)
        case .hashing: vectors = try await HashingEmbedder(dimension: dimension).embed(texts)
        }
        var output = try JSONEncoder().encode(vectors)
        output.append(0x0A)
        FileHandle.standardOutput.write(output)
    }
}
