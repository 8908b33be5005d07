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
    /// Minimum score (cosine similarity), if any.
    public var threshold: Float?

    /// Creates a query.
    public init(text: String, scope: MemoryScope, agentID: String? = nil, runID: String? = nil, limit: Int = 10,
                filter: MemoryFilter? = nil, threshold: Float? = nil) {
        self.text = text
        self.scope = scope
        self.agentID = agentID
        self.runID = runID
        self.limit = limit
        self.filter = filter
        self.threshold = threshold
    }
}

/// A search's answer.
public struct SearchAnswer: Sendable {
    /// Memories, best first, with their cosine similarity.
    public var results: [(record: MemoryRecord, score: Float)]
    /// Graph relations touching entities named in the query.
    public var relations: [GraphRelation]
}
