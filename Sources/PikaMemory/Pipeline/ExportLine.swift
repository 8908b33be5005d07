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
    /// `fact` or `event` (absent in exports written before kinds existed: a fact).
    public var kind: MemoryKind?
    /// ISO 8601 time the event happened, when known.
    public var occurredAt: String?

    enum CodingKeys: String, CodingKey {
        case id, memory, metadata, attribute, provenance, kind
        case occurredAt = "occurred_at"
        case agentID = "agent_id"
        case runID = "run_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    /// Creates a line.
    public init(
        id: String, memory: String, metadata: [String: JSONValue]?, agentID: String?, runID: String?,
        attribute: String?, provenance: [String]?, createdAt: String?, updatedAt: String?,
        kind: MemoryKind? = nil, occurredAt: String? = nil
    ) {
        self.id = id
        self.memory = memory
        self.metadata = metadata
        self.agentID = agentID
        self.runID = runID
        self.attribute = attribute
        self.provenance = provenance
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.kind = kind
        self.occurredAt = occurredAt
    }

    /// The export line of a stored memory (times in ISO 8601 with fractional seconds).
    public init(record: MemoryRecord) {
        self.init(
            id: record.id, memory: record.text, metadata: record.metadata, agentID: record.agentID, runID: record.runID,
            attribute: record.attribute, provenance: record.provenance,
            createdAt: ISO8601Timestamp.string(from: record.createdAt), updatedAt: ISO8601Timestamp.string(from: record.updatedAt),
            kind: record.kind, occurredAt: record.occurredAt.map(ISO8601Timestamp.string(from:)))
    }

    /// The line as JSONL text without its newline: keys sorted, slashes unescaped (the export format).
    public func jsonLine() throws -> String {
        try CanonicalJSON.text(of: self)
    }

    /// Parses one JSONL line; nil when it is not an export line.
    public static func parse(_ text: some StringProtocol) -> ExportLine? {
        try? JSONDecoder().decode(ExportLine.self, from: Data(text.utf8))
    }
}
