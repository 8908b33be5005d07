import ArgumentParser
import PikaEvaluation

/// `pika eval extraction`: scores a fact extractor against LoCoMo's observations and prints a
/// table, then one JSON object (precision, recall, F1, per threshold and conversation) as the
/// last line of stdout.
struct EvalExtractionCommand: AsyncParsableCommand {
    /// Dataset layouts with reference facts.
    enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        /// LoCoMo's JSON with `observation.session_N_observation`.
        case locomo
    }

    static let configuration = CommandConfiguration(
        commandName: "extraction",
        abstract: "Measure fact extraction (precision, recall, F1) against LoCoMo's per-session observations.")

    @Option(help: "The LoCoMo JSON file (or a directory holding one).")
    var dataset: String

    @Option(help: "Dataset layout: locomo.")
    var format: Format = .locomo

    @OptionGroup var embedding: EvalEmbedderOptions

    @OptionGroup var extraction: EvalExtractorOptions

    @Option(
        parsing: .upToNextOption,
        help: "Cosine thresholds a fact and an observation must reach to match; the first is the headline.")
    var threshold: [Float] = [0.6, 0.5, 0.7]

    @Option(name: .customLong("json"), help: "Also write the JSON result to this file.")
    var jsonOutput: String?

    func validate() throws {
        guard !threshold.isEmpty, threshold.allSatisfy({ (-1...1).contains($0) }) else {
            throw ValidationError("--threshold values must be cosines in -1...1")
        }
    }

    func run() async throws {
        let model = try embedding.make()
        let (extractor, _) = try extraction.make()
        let evaluator = ExtractionEvaluator(
            extractor: extractor, embedder: model, cache: embedding.cache(), thresholds: threshold,
            progress: EvalProgressBar.report)
        let report: ExtractionReport
        do throws(EvaluationError) {
            report = try await evaluator.run(LoCoMoDataset.load(path: dataset), name: dataset)
        } catch {
            throw fail(error.description, status: exitStatus(error))
        }
        try emitEvaluation(table: report.table(), json: report.json(), to: jsonOutput)
    }
}
