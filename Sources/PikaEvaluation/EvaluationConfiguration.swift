import Logging
import PikaRetrieval

/// What an evaluation run does: which signals and how the service fuses them.
public struct EvaluationConfiguration: Sendable {
    /// Vector, keyword or hybrid retrieval.
    public var mode: RetrievalMode
    /// How hybrid mode fuses its two rankings (the service's fusion unless a run compares another).
    public var fusion: FusionMethod
    /// BM25 parameters of the keyword signal.
    public var bm25: BM25Parameters
    /// If set, every query's vector and keyword candidates (ids and raw scores, 100 deep, as the
    /// service's hybrid search fuses them) and its judgements are written here as JSON lines, to
    /// study fusion offline.
    public var candidatesPath: String?
    /// Where the memory pipeline logs (nowhere by default).
    public var logger: Logger

    /// Creates a configuration.
    public init(
        mode: RetrievalMode = .hybrid, fusion: FusionMethod = .serviceDefault, bm25: BM25Parameters = BM25Parameters()
    ) {
        self.mode = mode
        self.fusion = fusion
        self.bm25 = bm25
        self.logger = Logger(label: "pika.eval", factory: { _ in SwiftLogNoOpLogHandler() })
    }
}
