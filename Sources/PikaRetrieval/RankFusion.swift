/// Merges the rankings of the vector and keyword signals into one (see ``FusionMethod``).
public enum RankFusion {
    /// The fused ranking of `vector` and `keyword` (each best first, higher score better),
    /// cut to `k`; ties go to the smaller label.
    ///
    /// - Parameters:
    ///   - vector: the vector signal's hits, best first (scores: similarity, higher better).
    ///   - keyword: the keyword signal's hits, best first (scores: BM25).
    ///   - method: RRF or normalised-score fusion.
    ///   - k: how many fused hits to return.
    /// - Complexity: O((v + w) log(v + w)).
    public static func fuse(vector: [RankedHit], keyword: [RankedHit], method: FusionMethod, k: Int) -> [RankedHit] {
        var scores: [UInt64: Double] = [:]
        switch method {
        case .reciprocalRank(let constant):
            for list in [vector, keyword] {
                for (index, hit) in list.enumerated() {
                    scores[hit.label, default: 0] += 1 / (constant + Double(index + 1))
                }
            }
        case .normalizedScore(let weight):
            for (hit, value) in normalized(vector) { scores[hit, default: 0] += weight * value }
            for (hit, value) in normalized(keyword) { scores[hit, default: 0] += (1 - weight) * value }
        }
        return RankedHit.top(k, of: scores)
    }

    /// Min–max scaling of a list's scores to 0...1 (all 1 when every score is equal).
    static func normalized(_ list: [RankedHit]) -> [(UInt64, Double)] {
        guard let low = list.map(\.score).min(), let high = list.map(\.score).max() else { return [] }
        let span = high - low
        return list.map { ($0.label, span > 0 ? ($0.score - low) / span : 1) }
    }
}
