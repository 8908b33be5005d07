/// An add after its slow part: the facts extracted (or the messages taken verbatim) and their
/// vectors, with the request's scope fields. What a `pika worker` process hands to the process that
/// owns the data directory, which consolidates and commits it (``MemoryManager/commit(_:scope:)``).
public struct PreparedAdd: Sendable, Hashable, Codable {
    /// The facts, in order.
    public var facts: [ExtractedFact]
    /// One unit vector per fact.
    public var vectors: [[Float]]
    /// The request's agent.
    public var agentID: String?
    /// The request's run.
    public var runID: String?
    /// The request's metadata, given to every memory it writes.
    public var metadata: [String: JSONValue]
    /// False: every fact is an ADD (verbatim messages); true: each is consolidated.
    public var infer: Bool

    /// Creates a prepared add.
    public init(
        facts: [ExtractedFact], vectors: [[Float]], agentID: String?, runID: String?, metadata: [String: JSONValue], infer: Bool
    ) {
        self.facts = facts
        self.vectors = vectors
        self.agentID = agentID
        self.runID = runID
        self.metadata = metadata
        self.infer = infer
    }
}

/// Where a manager sends its prepared adds when another process owns the data directory.
public protocol WriteOwner: Sendable {
    /// Consolidates and commits `prepared` for `scope` in the owning process; `job` (the job id and
    /// attempt) lets the owner answer a repeated delivery with the first delivery's results.
    func commit(_ prepared: PreparedAdd, scope: MemoryScope, job: String?) async throws -> [AddResult]
}
