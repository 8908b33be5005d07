import Foundation

/// Graded relevance judgements of one query: document id → gain (> 0 relevant).
public typealias Judgements = [String: Int]

/// NDCG, recall and MRR of one ranked list, computed as BEIR does (through pytrec_eval /
/// trec_eval):
///
/// - NDCG@k: `Σ_{i ≤ k} rel_i / log2(i + 1)` over the ranking, divided by the same sum over the
///   judged documents sorted by relevance (the ideal ranking built from the qrels, not from the
///   run). Gain is the relevance grade itself (linear), negative grades count as 0.
/// - Recall@k: relevant documents (grade > 0) in the top k, divided by all relevant documents.
/// - MRR@k: 1 / rank of the first relevant document in the top k, 0 if none.
///
/// Rankings are given as scored hits; they are ordered by score, highest first, and equal scores
/// by document id in *descending* order, which is trec_eval's rule. A ranking shorter than k is
/// scored as is (missing positions gain nothing). A query with no relevant document has no
/// defined NDCG or recall: callers exclude it (``isJudged(_:)``), as BEIR does.
public enum RankingMetrics {
    /// Whether `judgements` holds at least one relevant document, i.e. the query counts.
    public static func isJudged(_ judgements: Judgements) -> Bool { judgements.values.contains { $0 > 0 } }

    /// `ranking` in trec_eval order: score descending, then id descending.
    public static func ordered(_ ranking: [(id: String, score: Double)]) -> [String] {
        ranking.sorted { a, b in a.score != b.score ? a.score > b.score : a.id > b.id }.map(\.id)
    }

    /// NDCG@k of a ranked id list (best first) against `judgements`; 0 when nothing is relevant.
    public static func ndcg(_ ranking: [String], _ judgements: Judgements, k: Int) -> Double {
        var dcg = 0.0
        for (index, id) in ranking.prefix(k).enumerated() {
            let gain = max(judgements[id] ?? 0, 0)
            if gain > 0 { dcg += Double(gain) / log2(Double(index + 2)) }
        }
        let ideal = judgements.values.filter { $0 > 0 }.sorted(by: >).prefix(k)
        var idcg = 0.0
        for (index, gain) in ideal.enumerated() { idcg += Double(gain) / log2(Double(index + 2)) }
        return idcg > 0 ? dcg / idcg : 0
    }

    /// Recall@k: the share of relevant documents found in the top k; 0 when nothing is relevant.
    public static func recall(_ ranking: [String], _ judgements: Judgements, k: Int) -> Double {
        let relevant = judgements.filter { $0.value > 0 }.count
        guard relevant > 0 else { return 0 }
        var seen = Set<String>()
        let found = ranking.prefix(k).filter { (judgements[$0] ?? 0) > 0 && seen.insert($0).inserted }.count
        return Double(found) / Double(relevant)
    }

    /// MRR@k: the reciprocal rank of the first relevant document in the top k, else 0.
    public static func reciprocalRank(_ ranking: [String], _ judgements: Judgements, k: Int) -> Double {
        for (index, id) in ranking.prefix(k).enumerated() where (judgements[id] ?? 0) > 0 {
            return 1 / Double(index + 1)
        }
        return 0
    }
}
