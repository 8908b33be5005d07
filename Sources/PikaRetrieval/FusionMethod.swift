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

    /// `rrf(k=60)` or `score(w=0.5)`.
    public var description: String {
        switch self {
        case .reciprocalRank(let k): "rrf(k=\(formatted(k)))"
        case .normalizedScore(let w): "score(w=\(formatted(w)))"
        }
    }
}

private func formatted(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(value)
}
