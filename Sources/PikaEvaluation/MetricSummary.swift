/// Mean metrics over a set of judged queries.
public struct MetricSummary: Sendable, Hashable, Codable {
    /// Mean NDCG@10.
    public var ndcg10: Double
    /// Mean Recall@10.
    public var recall10: Double
    /// Mean Recall@100.
    public var recall100: Double
    /// Mean MRR@10.
    public var mrr10: Double
    /// How many queries were scored (queries without a relevant document are excluded).
    public var queries: Int

    /// Creates a summary.
    public init(ndcg10: Double = 0, recall10: Double = 0, recall100: Double = 0, mrr10: Double = 0, queries: Int = 0) {
        self.ndcg10 = ndcg10
        self.recall10 = recall10
        self.recall100 = recall100
        self.mrr10 = mrr10
        self.queries = queries
    }

    /// Scores `rankings` (best first) against `judgements`, skipping queries with no relevant document.
    public init(rankings: [(ranking: [String], judgements: Judgements)]) {
        self.init()
        for (ranking, judgements) in rankings where RankingMetrics.isJudged(judgements) {
            ndcg10 += RankingMetrics.ndcg(ranking, judgements, k: 10)
            recall10 += RankingMetrics.recall(ranking, judgements, k: 10)
            recall100 += RankingMetrics.recall(ranking, judgements, k: 100)
            mrr10 += RankingMetrics.reciprocalRank(ranking, judgements, k: 10)
            queries += 1
        }
        if queries > 0 {
            let n = Double(queries)
            ndcg10 /= n
            recall10 /= n
            recall100 /= n
            mrr10 /= n
        }
    }

    /// LoCoMo's figures from rankings per category: the headline over categories 1–4, and every
    /// category (adversarial, 5, included) apart, keyed by name.
    public static func locomo(
        _ byCategory: [Int: [(ranking: [String], judgements: Judgements)]]
    )
        -> (overall: MetricSummary, categories: [String: MetricSummary])
    {
        let overall = MetricSummary(rankings: byCategory.filter { $0.key != 5 }.values.flatMap { $0 })
        var categories: [String: MetricSummary] = [:]
        for (category, rankings) in byCategory {
            categories[LoCoMoDataset.categoryNames[category] ?? "category-\(category)"] = MetricSummary(rankings: rankings)
        }
        return (overall, categories)
    }
}
