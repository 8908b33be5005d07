import PikaRetrieval

/// What an evaluation run does: which signals, how deep, how they are fused.
public struct EvaluationConfiguration: Sendable {
    /// Vector, keyword or hybrid retrieval.
    public var mode: RetrievalMode
    /// How many hits the table's headline cut uses (the JSON always has @10 and @100).
    public var k: Int
    /// How hybrid mode fuses its two rankings.
    public var fusion: FusionMethod
    /// BM25 parameters of the keyword signal.
    public var bm25: BM25Parameters
    /// Hits each signal contributes to fusion, and the depth of every ranking (≥ 100 for Recall@100).
    public var depth: Int
    /// Threads for building the vector index.
    public var threads: Int
    /// If set, every query's vector and keyword candidates (label ids and raw scores, 100 deep)
    /// and its judgements are written here as JSON lines, to study fusion offline.
    public var candidatesPath: String?

    /// Creates a configuration.
    public init(
        mode: RetrievalMode = .hybrid, k: Int = 10, fusion: FusionMethod = .normalizedScore(),
        bm25: BM25Parameters = BM25Parameters(), depth: Int = 100, threads: Int = 1
    ) {
        self.mode = mode
        self.k = k
        self.fusion = fusion
        self.bm25 = bm25
        self.depth = max(depth, 100, k)
        self.threads = max(threads, 1)
    }
}
