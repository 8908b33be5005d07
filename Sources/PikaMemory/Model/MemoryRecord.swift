import Foundation

/// One stored memory: a short fact about a user, its embedding and where it came from.
public struct MemoryRecord: Sendable, Hashable {
    /// Public id (a lowercase UUID).
    public var id: String
    /// The engine label (unique per node, assigned by the store).
    public var label: UInt64
    /// Owner.
    public var scope: MemoryScope
    /// Agent that heard it, if given.
    public var agentID: String?
    /// Conversation run, if given.
    public var runID: String?
    /// The fact text.
    public var text: String
    /// Caller metadata.
    public var metadata: [String: JSONValue]
    /// A single-valued slot the fact fills (`name`, `age`, `favorite_color`…), used by consolidation.
    public var attribute: String?
    /// Source message indices or ids (e.g. LoCoMo dia_ids).
    public var provenance: [String]
    /// Creation time.
    public var createdAt: Date
    /// Last change time.
    public var updatedAt: Date
    /// The unit vector of `text` (empty when not loaded).
    public var embedding: [Float]

    /// Creates a record.
    public init(
        id: String, label: UInt64 = 0, scope: MemoryScope, agentID: String? = nil, runID: String? = nil,
        text: String, metadata: [String: JSONValue] = [:], attribute: String? = nil, provenance: [String] = [],
        createdAt: Date, updatedAt: Date, embedding: [Float] = []
    ) {
        self.id = id
        self.label = label
        self.scope = scope
        self.agentID = agentID
        self.runID = runID
        self.text = text
        self.metadata = metadata
        self.attribute = attribute
        self.provenance = provenance
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.embedding = embedding
    }
}
