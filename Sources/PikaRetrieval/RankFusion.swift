import Foundation

/// Merges the rankings of the vector and keyword signals into one (see ``FusionMethod``).
public enum RankFusion {
    /// The fused ranking of `vector` and `keyword` (each best first, higher score better),
    /// cut to `k`; ties go to the smaller label.
    ///
    /// - Parameters:
    ///   - vector: the vector signal's hits, best first (scores: similarity, higher better).
    ///   - keyword: the keyword signal's hits, best first (scores: BM25).
    ///   - method: how to fuse.
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
        case .confidence:
            // A keyword list shorter than the vector list holds every memory sharing a term with the
            // query, so the vector candidates it lacks have BM25 0 and join it at 0: one matching
            // memory among a few then stands out. A full list is a cut; its missing ones are not 0.
            var padded = keyword
            if keyword.count < vector.count {
                let matched = Set(keyword.map(\.label))
                padded += vector.filter { !matched.contains($0.label) }.map { RankedHit(label: $0.label, score: 0) }
            }
            let dense = Standardized(vector)
            let sparse = Standardized(padded)
            let weight = Self.vectorWeight(dense.confidence, sparse.confidence)
            for label in dense.scores.keys { scores[label] = 0 }
            for label in sparse.scores.keys { scores[label] = 0 }
            for label in scores.keys {
                scores[label] = weight * dense.score(label) + (1 - weight) * sparse.score(label)
            }
            // z-scores are unbounded; scaled to 0...1 over the candidates (1 = the best), hybrid
            // scores keep the range the search API documents for thresholds.
            if let low = scores.values.min(), let high = scores.values.max(), high > low {
                for (label, value) in scores { scores[label] = (value - low) / (high - low) }
            }
        }
        return RankedHit.top(k, of: scores)
    }

    /// The power applied to each list's confidence before the two are weighed against each other:
    /// above 1, the clearly more confident signal dominates instead of being averaged with a noisy
    /// one. A confidence is a top hit's z-score, and the top of 100 candidates stands ~1.5–3
    /// deviations out even when its list is noise (all-MiniLM-L6-v2 on Vietnamese), so weights
    /// proportional to it (power 1) gave such a list a third of the say. 1.5 has the best worst
    /// case over all eight set × embedder pairs measured (docs/evaluation.md, "Fusion that does not
    /// lose to its parts"); 2 (weights by squared signal-to-noise, as inverse-variance weighting
    /// does) also held on every set, 1 and 3 did not.
    static let confidencePower = 1.5

    /// The vector signal's weight (0...1) given each list's confidence; 0.5 when neither separates.
    static func vectorWeight(_ dense: Double, _ sparse: Double) -> Double {
        let a = pow(dense, confidencePower)
        let b = pow(sparse, confidencePower)
        return a + b > 0 ? a / (a + b) : 0.5
    }

    /// Min–max scaling of a list's scores to 0...1 (all 1 when every score is equal).
    static func normalized(_ list: [RankedHit]) -> [(UInt64, Double)] {
        guard let low = list.map(\.score).min(), let high = list.map(\.score).max() else { return [] }
        let span = high - low
        return list.map { ($0.label, span > 0 ? ($0.score - low) / span : 1) }
    }
}

/// One list's scores as z-scores over its candidates, with the list's confidence.
struct Standardized {
    /// Label → z-score.
    let scores: [UInt64: Double]
    /// What a label missing from the list scores: the list's lowest z-score.
    let floor: Double
    /// How many standard deviations the best hit stands above the mean (0 for a flat list or one
    /// of fewer than two hits, which says nothing about which candidate is meant).
    let confidence: Double

    init(_ list: [RankedHit]) {
        guard list.count > 1 else {
            scores = Dictionary(list.map { ($0.label, 1.0) }, uniquingKeysWith: max)
            floor = 0
            confidence = 0
            return
        }
        let values = list.map(\.score)
        let mean = values.reduce(0, +) / Double(values.count)
        let deviation = (values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)).squareRoot()
        guard deviation > 0 else {
            scores = Dictionary(list.map { ($0.label, 0.0) }, uniquingKeysWith: max)
            floor = 0
            confidence = 0
            return
        }
        let z = list.map { ($0.label, ($0.score - mean) / deviation) }
        scores = Dictionary(z, uniquingKeysWith: max)
        floor = z.map(\.1).min() ?? 0
        confidence = max(((values.max() ?? mean) - mean) / deviation, 0)
    }

    /// The label's z-score, or the floor when the list lacks it.
    func score(_ label: UInt64) -> Double { scores[label] ?? floor }
}
