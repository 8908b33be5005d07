/// The two free parameters of Okapi BM25.
///
/// The defaults (k1 = 0.9, b = 0.4) are Anserini's, the toolkit behind BEIR's published BM25
/// baselines; Elasticsearch and Lucene use k1 = 1.2, b = 0.75. docs/evaluation.md records which
/// setting measured better here.
public struct BM25Parameters: Sendable, Hashable {
    /// Term-frequency saturation: larger values let repeated terms count longer.
    public var k1: Double
    /// Length normalisation: 0 ignores document length, 1 normalises fully.
    public var b: Double

    /// Creates parameters; `k1` ≥ 0 and `b` in 0...1.
    public init(k1: Double = 0.9, b: Double = 0.4) {
        self.k1 = max(0, k1)
        self.b = min(max(0, b), 1)
    }
}
