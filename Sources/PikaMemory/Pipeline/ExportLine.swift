import Foundation

/// One line of a user's JSONL export; import takes the same lines back.
public struct ExportLine: Sendable, Hashable, Codable {
    /// Memory id (kept on import).
    public var id: String
    /// Text.
    public var memory: String
    /// Metadata.
    public var metadata: [String: JSONValue]?
    /// Agent id.
    public var agentID: String?
    /// Run id.
    public var runID: String?
    /// Attribute slot.
    public var attribute: String?
    /// Provenance tags.
    public var provenance: [String]?
    /// ISO 8601 creation time.
    public var createdAt: String?
    /// ISO 8601 update time.
    public var updatedAt: String?

    enum CodingKeys: String, CodingKey {
        case id, memory, metadata, attribute, provenance
        case agentID = "agent_id"
        case runID = "run_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Creates a line.
    public init(id: String, memory: String, metadata: [String: JSONValue]?, agentID: String?, runID: String?,
                attribute: String?, provenance: [String]?, createdAt: String?, updatedAt: String?) {
        self.id = id
        self.memory = memory
        self.metadata = metadata
        self.agentID = agentID
        self.runID = runID
        self.attribute = attribute
        self.provenance = provenance
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
