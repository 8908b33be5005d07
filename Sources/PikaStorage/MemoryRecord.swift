/// One stored memory: the payload that lives beside its vector in the data directory.
///
/// A search returns whole records, so the service needs no other store to answer it.
public struct MemoryRecord: Sendable, Hashable, Codable {
    /// The external identifier (a UUID string); unique among live records.
    public var id: String
    /// The partition key the engine clusters and filters by (one per user, typically).
    public var tenant: UInt32
    /// The user scope, when the record belongs to a user.
    public var userID: String?
    /// The agent scope.
    public var agentID: String?
    /// The run (session) scope.
    public var runID: String?
    /// The memory's text.
    public var text: String
    /// Caller metadata as a JSON document (stored verbatim).
    public var metadataJSON: String?
    /// Creation time, milliseconds since the Unix epoch.
    public var createdAt: Int64
    /// Last update time, milliseconds since the Unix epoch.
    public var updatedAt: Int64
    /// Where the memory came from (e.g. a job id or "import").
    public var provenance: String?

    /// Creates a record.
    public init(
        id: String, tenant: UInt32, userID: String? = nil, agentID: String? = nil, runID: String? = nil,
        text: String = "", metadataJSON: String? = nil, createdAt: Int64 = 0, updatedAt: Int64 = 0,
        provenance: String? = nil
    ) {
        self.id = id
        self.tenant = tenant
        self.userID = userID
        self.agentID = agentID
        self.runID = runID
        self.text = text
        self.metadataJSON = metadataJSON
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.provenance = provenance
    }
}

/// The binary encoding of a record, shared by WAL records and segment payloads:
/// u32 tenant, i64 createdAt, i64 updatedAt, then id, userID, agentID, runID, text,
/// metadataJSON, provenance, each a u32 length + UTF-8 (0xFFFFFFFF = absent).
enum RecordCodec {
    static func encode(_ r: MemoryRecord, into w: inout ByteWriter) {
        w.u32(r.tenant)
        w.i64(r.createdAt)
        w.i64(r.updatedAt)
        w.string(r.id)
        w.string(r.userID)
        w.string(r.agentID)
        w.string(r.runID)
        w.string(r.text)
        w.string(r.metadataJSON)
        w.string(r.provenance)
    }

    static func decode(_ r: inout ByteReader) throws(StorageError) -> MemoryRecord {
        let tenant = try r.u32("tenant")
        let created = try r.i64("createdAt")
        let updated = try r.i64("updatedAt")
        guard let id = try r.string("id") else { throw .corrupt(r.path, "record without an id at offset \(r.offset)") }
        let user = try r.string("userID")
        let agent = try r.string("agentID")
        let run = try r.string("runID")
        let text = try r.string("text") ?? ""
        let metadata = try r.string("metadataJSON")
        let provenance = try r.string("provenance")
        return MemoryRecord(
            id: id, tenant: tenant, userID: user, agentID: agent, runID: run, text: text, metadataJSON: metadata,
            createdAt: created, updatedAt: updated, provenance: provenance)
    }

    /// Only the id: skips the fixed-size fields before it and reads nothing after it.
    static func decodeID(_ r: inout ByteReader) throws(StorageError) -> String {
        _ = try r.bytes(4 + 8 + 8, "tenant and times")
        guard let id = try r.string("id") else { throw .corrupt(r.path, "record without an id at offset \(r.offset)") }
        return id
    }
}
