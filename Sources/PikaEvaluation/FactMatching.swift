/// One-to-one assignment of extracted facts to reference facts by similarity.
public enum FactMatching {
    /// A matched pair.
    public struct Pair: Sendable, Hashable {
        /// Index of the extracted fact.
        public var fact: Int
        /// Index of the reference fact.
        public var reference: Int
        /// Their similarity.
        public var similarity: Float

        /// Creates a pair.
        public init(fact: Int, reference: Int, similarity: Float) {
            self.fact = fact
            self.reference = reference
            self.similarity = similarity
        }
    }

    /// Greedy matching: candidate pairs with similarity ≥ `threshold` are taken from the most
    /// similar down, each fact and each reference at most once. Equal similarities are taken in
    /// order of fact index, then reference index, so the result is deterministic.
    ///
    /// Greedy rather than Hungarian: it never trades a clearly right pair for two mediocre ones
    /// (Hungarian maximises the count or sum, greedy keeps the best match of each fact), and on
    /// session-sized matrices (tens by tens) the two rarely differ.
    ///
    /// - Parameters:
    ///   - similarities: `similarities[f][r]`, or nil where the pair is not allowed (another speaker).
    ///   - threshold: the least similarity of a match.
    /// - Complexity: O(p log p) for p allowed pairs.
    public static func greedy(_ similarities: [[Float?]], threshold: Float) -> [Pair] {
        var candidates: [Pair] = []
        for (fact, row) in similarities.enumerated() {
            for (reference, similarity) in row.enumerated() {
                if let similarity, similarity >= threshold {
                    candidates.append(Pair(fact: fact, reference: reference, similarity: similarity))
                }
            }
        }
        candidates.sort { a, b in
            a.similarity != b.similarity ? a.similarity > b.similarity : (a.fact, a.reference) < (b.fact, b.reference)
        }
        var usedFacts = Set<Int>()
        var usedReferences = Set<Int>()
        var pairs: [Pair] = []
        for candidate in candidates where !usedFacts.contains(candidate.fact) && !usedReferences.contains(candidate.reference) {
            usedFacts.insert(candidate.fact)
            usedReferences.insert(candidate.reference)
            pairs.append(candidate)
        }
        return pairs
    }
}

/// Precision, recall and F1 from counts (micro-averaged when counts are summed).
public struct MatchCounts: Sendable, Hashable {
    /// Extracted facts.
    public var facts = 0
    /// Reference facts.
    public var references = 0
    /// Matched pairs.
    public var matched = 0

    /// Creates counts.
    public init(facts: Int = 0, references: Int = 0, matched: Int = 0) {
        self.facts = facts
        self.references = references
        self.matched = matched
    }

    /// matched / facts; 0 without facts.
    public var precision: Double { facts > 0 ? Double(matched) / Double(facts) : 0 }
    /// matched / references; 0 without references.
    public var recall: Double { references > 0 ? Double(matched) / Double(references) : 0 }
    /// Harmonic mean of precision and recall; 0 when both are 0.
    public var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }

    /// The sum of two sets of counts.
    public static func + (a: MatchCounts, b: MatchCounts) -> MatchCounts {
        MatchCounts(facts: a.facts + b.facts, references: a.references + b.references, matched: a.matched + b.matched)
    }
}
