/// One stored record: the payload that lives beside its vector in the data directory (the memory
/// service maps its `MemoryRecord` onto it, see PikaDataStore).
///
/// A search returns whole records, so the service needs no other store to answer it.
public struct StoredRecord: Sendable, Hashable, Codable {
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
    /// The caller's stable number for the record (the memory service's engine label; 0 when unused).
    public var label: UInt64
    /// The account that owns the record (the memory service's API tenant), when there is one.
    public var owner: String?
    /// The single-valued slot the record fills (`name`, `favorite_color`…), for consolidation.
    public var attribute: String?
    /// The caller's kind code (the memory service: 0 fact, 1 event).
    public var kind: UInt8
    /// When the remembered thing happened, milliseconds since the Unix epoch, when known.
    public var occurredAt: Int64?

    /// Creates a record.
    public init(
        id: String, tenant: UInt32, userID: String? = nil, agentID: String? = nil, runID: String? = nil,
        text: String = "", metadataJSON: String? = nil, createdAt: Int64 = 0, updatedAt: Int64 = 0,
        provenance: String? = nil, label: UInt64 = 0, owner: String? = nil, attribute: String? = nil, kind: UInt8 = 0,
        occurredAt: Int64? = nil
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
        self.label = label
        self.owner = owner
        self.attribute = attribute
        self.kind = kind
        self.occurredAt = occurredAt
    }
}

/// The binary encoding of a record, shared by WAL records and segment payloads:
/// u32 tenant, i64 createdAt, i64 updatedAt, then id, userID, agentID, runID, text,
/// metadataJSON, provenance, each a u32 length + UTF-8 (0xFFFFFFFF = absent); then the
/// extension (written since the memory service moved onto the segment store): u64 label,
/// owner and attribute as strings, u8 kind, i64 occurredAt (`Int64.min` = absent).
///
/// Readers learn whether the extension is there from the container: a segment record ends
/// where its offsets say (an older record simply ends after provenance), a WAL record's kind
/// tells (kinds 3 and 4 carry it, 1 and 2 do not).
enum RecordCodec {
    static let absentTime = Int64.min

    static func encode(_ r: StoredRecord, into w: inout ByteWriter) {
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
        w.u64(r.label)
        w.string(r.owner)
        w.string(r.attribute)
        w.u8(r.kind)
        w.i64(r.occurredAt ?? absentTime)
    }

    /// Decodes a record; `extended` says whether the extension follows the base fields.
    static func decode(_ r: inout ByteReader, extended: Bool) throws(StorageError) -> StoredRecord {
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
        var record = StoredRecord(
            id: id, tenant: tenant, userID: user, agentID: agent, runID: run, text: text, metadataJSON: metadata,
            createdAt: created, updatedAt: updated, provenance: provenance)
        if extended {
            record.label = try r.u64("label")
            record.owner = try r.string("owner")
            record.attribute = try r.string("attribute")
            record.kind = try r.u8("kind")
            let occurred = try r.i64("occurredAt")
            record.occurredAt = occurred == absentTime ? nil : occurred
        }
        return record
    }

    /// The label and the attribute's UTF-8 bytes (nil when absent), building no string: skips the
    /// base fields by their lengths. A record without the extension has label 0 and no attribute.
    /// The attribute bytes point into `r`'s buffer and are valid as long as it is.
    static func keys(_ r: inout ByteReader) throws(StorageError) -> RecordKeys {
        _ = try r.bytes(4 + 8 + 8, "tenant and times")
        // id, userID, agentID, runID, text, metadataJSON, provenance (one name for all seven: the
        // name only appears in the error of a truncated record).
        for _ in 0..<7 { try r.skipString("base field") }
        guard r.remaining > 0 else { return RecordKeys(label: 0, attribute: nil) }
        let label = try r.u64("label")
        try r.skipString("owner")
        return RecordKeys(label: label, attribute: try r.rawString("attribute"))
    }

    /// Only the id: skips the fixed-size fields before it and reads nothing after it.
    static func decodeID(_ r: inout ByteReader) throws(StorageError) -> String {
        _ = try r.bytes(4 + 8 + 8, "tenant and times")
        guard let id = try r.string("id") else { throw .corrupt(r.path, "record without an id at offset \(r.offset)") }
        return id
    }
}

/// What a scan of a tenant's records selects on, read without decoding the record
/// (``RecordCodec/keys(_:)``).
struct RecordKeys {
    /// The caller's label (0 when the record has none).
    var label: UInt64
    /// The attribute's UTF-8 bytes, nil when absent; they point into the record's buffer.
    var attribute: UnsafeRawBufferPointer?
}
