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
    /// Further descriptions of the run (LoCoMo memories: `granularity`, `extractor`), JSON strings.
    public var details: [String: String]
    /// Further counts of the run (LoCoMo memories: consolidation events, covered questions), JSON integers.
    public var counts: [String: Int]

    /// Creates a report.
    public init(
        dataset: String, format: String, mode: String, embedder: String, fusion: String?, overall: MetricSummary,
        categories: [String: MetricSummary], p50Milliseconds: Double, p95Milliseconds: Double, documents: Int,
        ingestSeconds: Double, details: [String: String] = [:], counts: [String: Int] = [:]
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
        self.details = details
        self.counts = counts
    }

    /// One JSON object (sorted keys, one line) with `ndcg@10`, `recall@10`, `recall@100`,
    /// `mrr@10`, `queries`, `p50_ms`, `p95_ms` and the run's description.
    public func json() -> String {
        var object: [String: Any] = Self.fields(overall)
        object["p50_ms"] = rounded(p50Milliseconds, places: 3)
        object["p95_ms"] = rounded(p95Milliseconds, places: 3)
        object["dataset"] = dataset
        object["format"] = format
        object["mode"] = mode
        object["embedder"] = embedder
        object["documents"] = documents
        object["ingest_s"] = rounded(ingestSeconds, places: 1)
        if let fusion { object["fusion"] = fusion }
        for (key, value) in details { object[key] = value }
        for (key, value) in counts { object[key] = value }
        if !categories.isEmpty { object["categories"] = categories.mapValues { Self.fields($0) } }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A plain-text table: one row for the headline figures and one per category.
    public func table() -> String {
        var rows = [("all" + (categories.isEmpty ? "" : " (1-4)"), overall)]
        for name in categories.keys.sorted(by: Self.categoryOrder) { rows.append((name, categories[name]!)) }
        let header =
            "subset".padding(toLength: 16, withPad: " ", startingAt: 0)
            + "  queries  ndcg@10  recall@10  recall@100  mrr@10"
        let described = details.keys.sorted().map { "\($0) \(details[$0]!)" }.joined(separator: ", ")
        var lines = [
            "\(format) \(mode) [\(embedder)\(fusion.map { ", \($0)" } ?? "")] \(dataset)"
                + (described.isEmpty ? "" : " (\(described))"),
            header,
        ]
        for (name, m) in rows {
            lines.append(
                name.padding(toLength: 16, withPad: " ", startingAt: 0)
                    + String(format: "  %7d  %7.4f  %9.4f  %10.4f  %6.4f", m.queries, m.ndcg10, m.recall10, m.recall100, m.mrr10))
        }
        lines.append(
            String(
                format: "latency p50 %.2f ms, p95 %.2f ms; %d documents ingested in %.1f s", p50Milliseconds,
                p95Milliseconds, documents, ingestSeconds))
        if !counts.isEmpty {
            lines.append(counts.keys.sorted().map { "\($0) \(counts[$0]!)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }

    private static func categoryOrder(_ a: String, _ b: String) -> Bool {
        let order = ["single-hop", "multi-hop", "temporal", "open-domain", "adversarial"]
        return (order.firstIndex(of: a) ?? 99, a) < (order.firstIndex(of: b) ?? 99, b)
    }

    private static func fields(_ m: MetricSummary) -> [String: Any] {
        [
            "ndcg@10": rounded(m.ndcg10, places: 4), "recall@10": rounded(m.recall10, places: 4),
            "recall@100": rounded(m.recall100, places: 4), "mrr@10": rounded(m.mrr10, places: 4), "queries": m.queries,
        ]
    }
}
