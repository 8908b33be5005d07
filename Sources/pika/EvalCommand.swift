import ArgumentParser
import Foundation
import PikaEmbeddings
import PikaEvaluation
import PikaRetrieval

#if canImport(Glibc)
import Glibc
#endif

/// `pika eval`: scores retrieval on a BEIR or LoCoMo dataset through the real engine and prints a
/// table, then one JSON object as the last line of stdout.
struct EvalCommand: AsyncParsableCommand {
    /// Dataset layouts.
    enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// corpus.jsonl, queries.jsonl, qrels/SPLIT.tsv.
        case beir
        /// LoCoMo's JSON (conversations, sessions, qa with evidence).
        case locomo
    }

    /// What becomes a memory in LoCoMo.
    enum Granularity: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// Each dialogue turn.
        case turns
        /// The facts the extraction pipeline writes (needs issue 5's extractor).
        case memories
    }

    /// Local embedders.
    enum EmbedderKind: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// Native all-MiniLM-L6-v2.
        case minilm
        /// Feature hashing (no model; a smoke test, not a quality figure).
        case hashing
    }

    /// Fusion methods for hybrid mode.
    enum FusionKind: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// Reciprocal-rank fusion.
        case rrf
        /// Min–max normalised score fusion.
        case score
    }

    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure retrieval quality (NDCG@10, recall, MRR, latency) on a BEIR or LoCoMo dataset.")

    @Option(help: "The dataset: a BEIR directory, or a LoCoMo JSON file (or a directory holding one).")
    var dataset: String

    @Option(help: "Dataset layout: beir or locomo.")
    var format: Format

    @Option(help: "BEIR qrels split (qrels/SPLIT.tsv).")
    var split: String = "test"

    @Option(help: "Retrieval mode: vector, keyword or hybrid.")
    var mode: RetrievalMode = .hybrid

    @Option(help: "Embedder: minilm or hashing.")
    var embedder: EmbedderKind = .minilm

    @Option(name: .customLong("model-dir"), help: "MiniLM model directory (default: $PIKA_MODEL_DIR, else models/all-MiniLM-L6-v2).")
    var modelDirectory: String?

    @Option(help: "Minimum ranking depth (rankings are at least 100 deep; the metrics are always @10 and @100).")
    var k: Int = 10

    @Option(help: "LoCoMo: turns (each dialogue turn is a memory) or memories (extracted facts).")
    var granularity: Granularity = .turns

    @Option(help: "Hybrid fusion: score (normalised-score, the measured default) or rrf.")
    var fusion: FusionKind = .score

    @Option(name: .customLong("rrf-k"), help: "RRF constant.")
    var rrfK: Double = 60

    @Option(name: .customLong("vector-weight"), help: "Score fusion: weight of the vector signal (0...1).")
    var vectorWeight: Double = 0.5

    @Option(name: .customLong("bm25-k1"), help: "BM25 k1.")
    var bm25K1: Double = 0.9

    @Option(name: .customLong("bm25-b"), help: "BM25 b.")
    var bm25B: Double = 0.4

    @Option(name: .customLong("cache-dir"), help: "Corpus embedding cache (default: ~/.cache/pika/embeddings).")
    var cacheDirectory: String?

    @Option(help: "Threads for building the vector index.")
    var threads: Int = 1

    @Option(name: .customLong("json"), help: "Also write the JSON result to this file.")
    var jsonOutput: String?

    func validate() throws {
        guard k > 0 else { throw ValidationError("--k must be positive") }
        guard threads > 0 else { throw ValidationError("--threads must be positive") }
        guard (0...1).contains(vectorWeight) else { throw ValidationError("--vector-weight must be in 0...1") }
        if granularity == .memories {
            throw ValidationError(
                "--granularity memories (LoCoMo through the extraction pipeline) is not implemented yet; use turns (docs/evaluation.md)")
        }
        if granularity != .turns && format != .locomo {
            throw ValidationError("--granularity applies to --format locomo only")
        }
    }

    func run() async throws {
        let model: any Embedder
        do {
            switch embedder {
            case .minilm: model = try MiniLMEmbedder(directory: modelDirectory)
            case .hashing: model = try HashingEmbedder()
            }
        } catch {
            throw fail("\(error)", status: 1)
        }
        let fusionMethod: FusionMethod =
            fusion == .rrf ? .reciprocalRank(k: rrfK) : .normalizedScore(vectorWeight: vectorWeight)
        let configuration = EvaluationConfiguration(
            mode: mode, k: k, fusion: fusionMethod, bm25: BM25Parameters(k1: bm25K1, b: bm25B), threads: threads)
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "."
        let cache = EmbeddingCache(directory: cacheDirectory ?? home + "/.cache/pika/embeddings")
        let runner = EvaluationRunner(
            configuration: configuration, embedder: model, cache: cache, progress: EvalProgressBar.report)
        let report: EvaluationReport
        do {
            switch format {
            case .beir: report = try await runner.run(BEIRDataset.load(directory: dataset, split: split), name: dataset)
            case .locomo: report = try await runner.run(LoCoMoDataset.load(path: dataset), name: dataset)
            }
        } catch {
            let dataProblem = [.fileNotFound, .malformedLine, .malformedDocument, .duplicateID, .emptyDataset]
                .contains(error.code)
            throw fail(error.description, status: dataProblem ? 2 : 1)
        }
        let json = report.json()
        print(report.table())
        print(json)
        if let jsonOutput {
            guard FileManager.default.createFile(atPath: jsonOutput, contents: Data((json + "\n").utf8)) else {
                throw fail("cannot write \(jsonOutput)", status: 1)
            }
        }
    }

    private func fail(_ message: String, status: Int32) -> ExitCode {
        EvalProgressBar.write("pika: error: \(message)\n")
        return ExitCode(status)
    }
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
        write("\r\(phase.padding(toLength: 8, withPad: " ", startingAt: 0)) [\(bar)] \(done)/\(total)")
        if done >= total { write("\n") }
    }

    /// Unbuffered write to stderr.
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in _ = Glibc.write(2, bytes.baseAddress, bytes.count) }
    }
}
