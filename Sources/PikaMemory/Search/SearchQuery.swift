import Foundation
import PikaRetrieval

/// Which signals a search uses: `vector` (cosine), `keyword` (BM25) or `hybrid` (both, fused).
public typealias SearchMode = RetrievalMode

/// A search over one user's memories.
public struct SearchQuery: Sendable {
    /// The question.
    public var text: String
    /// Whose memories.
    public var scope: MemoryScope
    /// Only this agent's memories.
    public var agentID: String?
    /// Only this run's memories.
    public var runID: String?
    /// Results wanted, 1 ... 100.
    public var limit: Int
    /// Metadata filter, applied inside the engine search.
    public var filter: MemoryFilter?
    /// Minimum score, if any, compared with the mode's score (see ``SearchAnswer/results``).
    public var threshold: Float?
    /// Which signals rank the memories. Hybrid is the default: it is at or above both of its
    /// signals on every evaluation set measured (docs/evaluation.md).
    public var mode: SearchMode
    /// The time relative expressions of the query ("last summer") are resolved against; nil: now.
    public var referenceTime: Date?

    /// Creates a query.
    public init(
        text: String, scope: MemoryScope, agentID: String? = nil, runID: String? = nil, limit: Int = 10,
        filter: MemoryFilter? = nil, threshold: Float? = nil, mode: SearchMode = .hybrid,
        referenceTime: Date? = nil
    ) {
        self.text = text
        self.scope = scope
        self.agentID = agentID
        self.runID = runID
        self.limit = limit
        self.filter = filter
        self.threshold = threshold
        self.mode = mode
        self.referenceTime = referenceTime
    }
}

/// A search's answer.
public struct SearchAnswer: Sendable {
    /// Memories, best first, with their score: cosine similarity (vector mode), BM25 (keyword
    /// mode), or the fused score in 0...1 (hybrid mode: the two signals' z-scores over their 100
    /// best candidates, each weighted by how clearly its best hit stands out, then scaled over the
    /// candidates so that 1 is the best candidate; ``FusionMethod/confidence``).
    public var results: [(record: MemoryRecord, score: Float)]
    /// Graph relations touching entities named in the query.
    public var relations: [GraphRelation]
}
