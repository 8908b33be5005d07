import ArgumentParser
import Foundation
import PikaEmbeddings
import PikaEvaluation
import PikaMemory

/// The embedder options shared by `pika eval` subcommands.
struct EvalEmbedderOptions: ParsableArguments {
    /// Embedders.
    enum Kind: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// Native all-MiniLM-L6-v2.
        case minilm
        /// Native multilingual-e5-small (`query: ` / `passage: ` forms).
        case e5Small = "e5-small"
        /// Feature hashing (no model; a smoke test, not a quality figure).
        case hashing
        /// An OpenAI-compatible `/v1/embeddings` endpoint, configured as for `pika serve`.
        case openai
    }

    @Option(
        help:
            "Embedder: minilm, e5-small, hashing or openai (PIKA_EMBEDDINGS_URL, PIKA_EMBEDDINGS_MODEL, PIKA_EMBEDDINGS_DIMENSION, PIKA_EMBEDDINGS_API_KEY)."
    )
    var embedder: Kind = .minilm

    @Option(
        name: .customLong("model-dir"),
        help:
            "Model directory (default: $PIKA_MODEL_DIR, else models/all-MiniLM-L6-v2; e5-small: $PIKA_E5_MODEL_DIR, else models/multilingual-e5-small)."
    )
    var modelDirectory: String?

    @Option(name: .customLong("cache-dir"), help: "Embedding cache (default: ~/.cache/pika/embeddings).")
    var cacheDirectory: String?

    /// The chosen embedder (exit status 1 when the model cannot be loaded).
    func make() throws -> any Embedder {
        do {
            switch embedder {
            case .minilm: return try MiniLMEmbedder(directory: modelDirectory)
            case .e5Small: return try E5Embedder(directory: modelDirectory)
            case .hashing: return try HashingEmbedder()
            case .openai: return try RemoteEmbedder(configuration: try RemoteEmbedderConfiguration.fromEnvironment())
            }
        } catch {
            throw fail("\(error)", status: 1)
        }
    }

    /// The embedding cache.
    func cache() -> PikaEvaluation.EmbeddingCache {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "."
        return PikaEvaluation.EmbeddingCache(directory: cacheDirectory ?? home + "/.cache/pika/embeddings")
    }
}

/// The extractor option shared by `pika eval` subcommands that run the extraction pipeline.
struct EvalExtractorOptions: ParsableArguments {
    /// Extractors.
    enum Kind: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// The built-in rule extractor (offline).
        case rules
        /// An OpenAI-compatible chat model: PIKA_LLM_BASE_URL, PIKA_LLM_MODEL, PIKA_LLM_API_KEY.
        case llm
        /// Every message verbatim (a reference for the matching rule, not an extractor).
        case verbatim
    }

    @Option(help: "Extractor: rules, llm (PIKA_LLM_BASE_URL, PIKA_LLM_MODEL, PIKA_LLM_API_KEY) or verbatim.")
    var extractor: Kind = .rules

    /// The extractor and, for the LLM, the consolidation decider the service would pair with it.
    func make() throws -> (any FactExtractor, (any ConsolidationDecider)?) {
        switch extractor {
        case .rules: return (RuleExtractor(), nil)
        case .verbatim: return (VerbatimExtractor(), nil)
        case .llm:
            let environment = ProcessInfo.processInfo.environment
            guard let base = environment["PIKA_LLM_BASE_URL"].flatMap(URL.init(string:)), base.scheme?.hasPrefix("http") == true,
                let model = environment["PIKA_LLM_MODEL"], !model.isEmpty
            else {
                throw fail("--extractor llm needs PIKA_LLM_BASE_URL (an http(s) URL) and PIKA_LLM_MODEL", status: 1)
            }
            let llm = LLMExtractor(
                configuration: LLMExtractorConfiguration(
                    baseURL: base, model: model, apiKey: environment["PIKA_LLM_API_KEY"]))
            return (llm, llm)
        }
    }
}

/// Prints the table, then the JSON object as the last line of stdout, and writes the JSON to
/// `path` when given (exit status 1 when it cannot).
func emitEvaluation(table: String, json: String, to path: String?) throws {
    print(table)
    print(json)
    guard let path else { return }
    guard FileManager.default.createFile(atPath: path, contents: Data((json + "\n").utf8)) else {
        throw fail("cannot write \(path)", status: 1)
    }
}

/// The exit status of an evaluation error: 2 for a missing or malformed dataset, else 1.
func exitStatus(_ error: EvaluationError) -> Int32 {
    [.fileNotFound, .malformedLine, .malformedDocument, .duplicateID, .emptyDataset].contains(error.code) ? 2 : 1
}
