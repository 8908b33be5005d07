import ArgumentParser
import Foundation
import PikaEmbeddings
import PikaEvaluation
import PikaRetrieval

/// `pika eval [retrieval]`: scores retrieval on a BEIR or LoCoMo dataset through the memory
/// service's own search (documents stored verbatim as memories, or for LoCoMo memories what the
/// extraction pipeline stores) and prints a table, then one JSON object as the last line of stdout.
struct EvalRetrievalCommand: AsyncParsableCommand {
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
        /// The facts the service's extraction pipeline stores, searched through the service search.
        case memories
    }

    /// Fusion methods for hybrid mode.
    enum FusionKind: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// Confidence-weighted z-scores (the service's fusion).
        case confidence
        /// Reciprocal-rank fusion.
        case rrf
        /// Min–max normalised score fusion.
        case score
    }

    static let configuration = CommandConfiguration(
        commandName: "retrieval",
        abstract: "Measure retrieval quality (NDCG@10, recall, MRR, latency) on a BEIR or LoCoMo dataset.")

    @Option(help: "The dataset: a BEIR directory, or a LoCoMo JSON file (or a directory holding one).")
    var dataset: String

    @Option(help: "Dataset layout: beir or locomo.")
    var format: Format

    @Option(help: "BEIR qrels split (qrels/SPLIT.tsv).")
    var split: String = "test"

    @Option(help: "Retrieval mode: vector, keyword or hybrid.")
    var mode: RetrievalMode = .hybrid

    @OptionGroup var embedding: EvalEmbedderOptions

    @OptionGroup var extraction: EvalExtractorOptions

    @Option(help: "LoCoMo: turns (each dialogue turn is a memory) or memories (facts stored by the extraction pipeline).")
    var granularity: Granularity = .turns

    @Option(help: "Hybrid fusion: confidence (the service's), score (min–max, --vector-weight) or rrf (--rrf-k).")
    var fusion: FusionKind = .confidence

    @Option(name: .customLong("rrf-k"), help: "RRF constant.")
    var rrfK: Double = 60

    @Option(name: .customLong("vector-weight"), help: "Score fusion: weight of the vector signal (0...1).")
    var vectorWeight: Double = 0.5

    @Option(name: .customLong("bm25-k1"), help: "BM25 k1.")
    var bm25K1: Double = 0.9

    @Option(name: .customLong("bm25-b"), help: "BM25 b.")
    var bm25B: Double = 0.4

    @Option(
        name: .customLong("candidates-out"), help: "Write each query's vector and keyword candidates (JSON lines) here, to study fusion.")
    var candidatesOutput: String?

    @Option(name: .customLong("json"), help: "Also write the JSON result to this file.")
    var jsonOutput: String?

    func validate() throws {
        guard (0...1).contains(vectorWeight) else { throw ValidationError("--vector-weight must be in 0...1") }
        if granularity != .turns && format != .locomo {
            throw ValidationError("--granularity applies to --format locomo only")
        }
        if granularity != .memories && extraction.extractor != .rules {
            throw ValidationError("--extractor applies to --granularity memories only")
        }
    }

    func run() async throws {
        let model = try embedding.make()
        let (extractor, decider) = try extraction.make()
        let report: EvaluationReport
        do throws(EvaluationError) {
            switch (format, granularity) {
            case (.beir, _):
                report = try await runner(model).run(BEIRDataset.load(directory: dataset, split: split), name: dataset)
            case (.locomo, .turns):
                report = try await runner(model).run(LoCoMoDataset.load(path: dataset), name: dataset)
            case (.locomo, .memories):
                var runner = MemoryEvaluationRunner(
                    mode: mode, embedder: model, extractor: extractor, decider: decider, progress: EvalProgressBar.report)
                runner.fusion = fusionMethod
                runner.bm25 = BM25Parameters(k1: bm25K1, b: bm25B)
                report = try await runner.run(LoCoMoDataset.load(path: dataset), name: dataset)
            }
        } catch {
            throw fail(error.description, status: exitStatus(error))
        }
        try emitEvaluation(table: report.table(), json: report.json(), to: jsonOutput)
    }

    private var fusionMethod: FusionMethod {
        switch fusion {
        case .confidence: .confidence
        case .rrf: .reciprocalRank(k: rrfK)
        case .score: .normalizedScore(vectorWeight: vectorWeight)
        }
    }

    private func runner(_ model: any Embedder) -> EvaluationRunner {
        var configuration = EvaluationConfiguration(
            mode: mode, fusion: fusionMethod, bm25: BM25Parameters(k1: bm25K1, b: bm25B))
        configuration.candidatesPath = candidatesOutput
        return EvaluationRunner(
            configuration: configuration, embedder: model, cache: embedding.cache(), progress: EvalProgressBar.report)
    }
}
