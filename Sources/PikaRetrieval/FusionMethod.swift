/// How ``RankFusion`` merges a vector ranking with a keyword ranking.
public enum FusionMethod: Sendable, Hashable, CustomStringConvertible {
    /// Reciprocal-rank fusion (Cormack, Clarke and Büttcher, SIGIR 2009): a document scores
    /// `Σ weight / (k + rank)` over the lists that hold it, rank starting at 1. Scores themselves
    /// are ignored, so the two signals need no calibration. `k` = 60 is the paper's constant.
    case reciprocalRank(k: Double = 60)
    /// Normalised-score fusion ("convex combination"): each list's scores are min–max scaled to
    /// 0...1 and a document scores `vectorWeight · v + (1 − vectorWeight) · kw`, 0 where a list
    /// does not hold it.
    case normalizedScore(vectorWeight: Double = 0.5)
    /// Confidence-weighted z-score fusion: each list's scores become z-scores over its candidates
    /// (a keyword list shorter than the vector list holds every matching memory, so it counts the
    /// vector candidates it lacks at BM25 0, which they are; any other missing document takes its
    /// list's lowest z-score), and each list is weighted by its
    /// confidence for this query, how many standard deviations its best hit stands above its
    /// candidates' mean, raised to the power 1.5 (`RankFusion.confidencePower`), so that the
    /// clearly more confident signal dominates. A flat ranking (a model that does not know the language, a query sharing
    /// no distinctive word with any memory) then has little say, so the fusion does not fall below
    /// the better of its two signals (docs/evaluation.md, "Fusion that does not lose to its parts").
    /// The fused scores are min–max scaled over the candidates: 1 is the best, 0 the worst.
    case confidence

    /// The fusion the service's hybrid search uses, chosen by measurement on every evaluation set
    /// held (docs/evaluation.md).
    public static let serviceDefault = FusionMethod.confidence

    /// `rrf(k=60)`, `score(w=0.5)` or `confidence`.
    public var description: String {
        switch self {
        case .reciprocalRank(let k): "rrf(k=\(formatted(k)))"
        case .normalizedScore(let w): "score(w=\(formatted(w)))"
        case .confidence: "confidence"
        }
    }
}

private func formatted(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
}
