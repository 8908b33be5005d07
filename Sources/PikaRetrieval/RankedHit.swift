/// One retrieved document: its label and a score where higher is better.
public struct RankedHit: Sendable, Hashable {
    /// The document's label (the engine's 64-bit id).
    public var label: UInt64
    /// The score; only its order within one list means anything.
    public var score: Double

    /// Creates a hit.
    public init(label: UInt64, score: Double) {
        self.label = label
        self.score = score
    }

    /// The `k` highest-scoring entries of `scores`, best first; equal scores go to the smaller label.
    /// - Complexity: O(n log n).
    public static func top(_ k: Int, of scores: [UInt64: Double]) -> [RankedHit] {
        let sorted = scores.map { RankedHit(label: $0.key, score: $0.value) }.sorted(by: ranksBefore)
        return Array(sorted.prefix(max(k, 0)))
    }

    /// The ranking order: higher score first, then smaller label.
    public static func ranksBefore(_ a: RankedHit, _ b: RankedHit) -> Bool {
        a.score != b.score ? a.score > b.score : a.label < b.label
    }
}
