import Foundation

/// The outcome of one evaluation run: mean metrics, latency, and per-category figures (LoCoMo).
public struct EvaluationReport: Sendable, Hashable {
    /// Dataset path as given.
    public var dataset: String
    /// `beir` or `locomo`.
    public var format: String
    /// `vector`, `keyword` or `hybrid`.
    public var mode: String
    /// The embedder's identity, or `none` for keyword mode.
    public var embedder: String
    /// The fusion method (hybrid mode), e.g. `rrf(k=60)`.
    public var fusion: String?
    /// Mean metrics over the headline queries (LoCoMo: categories 1–4).
    public var overall: MetricSummary
    /// LoCoMo: metrics per category name, category 5 (adversarial) included here only.
    public var categories: [String: MetricSummary]
    /// Median time of one search (query embedding + retrieval + fusion), milliseconds.
    public var p50Milliseconds: Double
    /// 95th percentile of the same, milliseconds.
    public var p95Milliseconds: Double
    /// Documents (or memories) ingested.
    public var documents: Int
    /// Seconds spent embedding and indexing the corpus.
    public var ingestSeconds: Double

    /// Creates a report.
    public init(
        dataset: String, format: String, mode: String, embedder: String, fusion: String?, overall: MetricSummary,
        categories: [String: MetricSummary], p50Milliseconds: Double, p95Milliseconds: Double, documents: Int,
        ingestSeconds: Double
    ) {
        self.dataset = dataset
        self.format = format
        self.mode = mode
        self.embedder = embedder
        self.fusion = fusion
        self.overall = overall
        self.categories = categories
        self.p50Milliseconds = p50Milliseconds
        self.p95Milliseconds = p95Milliseconds
        self.documents = documents
        self.ingestSeconds = ingestSeconds
    }

    /// One JSON object (sorted keys, one line) with `ndcg@10`, `recall@10`, `recall@100`,
    /// `mrr@10`, `queries`, `p50_ms`, `p95_ms` and the run's description.
    public func json() -> String {
        var object: [String: Any] = Self.fields(overall)
        object["p50_ms"] = Self.rounded(p50Milliseconds, 3)
        object["p95_ms"] = Self.rounded(p95Milliseconds, 3)
        object["dataset"] = dataset
        object["format"] = format
        object["mode"] = mode
        object["embedder"] = embedder
        object["documents"] = documents
        object["ingest_s"] = Self.rounded(ingestSeconds, 1)
        if let fusion { object["fusion"] = fusion }
        if !categories.isEmpty { object["categories"] = categories.mapValues { Self.fields($0) } }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A plain-text table: one row for the headline figures and one per category.
    public func table() -> String {
        var rows = [("all" + (categories.isEmpty ? "" : " (1-4)"), overall)]
        for name in categories.keys.sorted(by: Self.categoryOrder) { rows.append((name, categories[name]!)) }
        let header = "subset".padding(toLength: 16, withPad: " ", startingAt: 0)
            + "  queries  ndcg@10  recall@10  recall@100  mrr@10"
        var lines = ["\(format) \(mode) [\(embedder)\(fusion.map { ", \($0)" } ?? "")] \(dataset)", header]
        for (name, m) in rows {
            lines.append(
                name.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + String(format: "  %7d  %7.4f  %9.4f  %10.4f  %6.4f", m.queries, m.ndcg10, m.recall10, m.recall100, m.mrr10))
        }
        lines.append(
            String(
                format: "latency p50 %.2f ms, p95 %.2f ms; %d documents ingested in %.1f s", p50Milliseconds,
                p95Milliseconds, documents, ingestSeconds))
        return lines.joined(separator: "\n")
    }

    private static func categoryOrder(_ a: String, _ b: String) -> Bool {
        let order = ["single-hop", "multi-hop", "temporal", "open-domain", "adversarial"]
        return (order.firstIndex(of: a) ?? 99, a) < (order.firstIndex(of: b) ?? 99, b)
    }

    private static func fields(_ m: MetricSummary) -> [String: Any] {
        [
            "ndcg@10": rounded(m.ndcg10, 4), "recall@10": rounded(m.recall10, 4),
            "recall@100": rounded(m.recall100, 4), "mrr@10": rounded(m.mrr10, 4), "queries": m.queries,
        ]
    }

    private static func rounded(_ value: Double, _ places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }
}
