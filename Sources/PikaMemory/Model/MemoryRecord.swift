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
    /// What sort of memory this is: an attribute fact or an event the user told of.
    public var kind: MemoryKind
    /// When the remembered thing happened, when the conversation gave a time to derive it from.
    public var occurredAt: Date?
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
        kind: MemoryKind = .fact, occurredAt: Date? = nil, createdAt: Date, updatedAt: Date, embedding: [Float] = []
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
        self.kind = kind
        self.occurredAt = occurredAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.embedding = embedding
    }
}

/// The two kinds of memory the extractors keep (docs/api.md).
public enum MemoryKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// An attribute of the user (name, age, favourites, pets…), consolidated by slot.
    case fact
    /// Something the user did, will do, felt or met, rewritten to stand alone.
    case event
}
