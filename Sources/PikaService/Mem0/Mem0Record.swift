import Foundation
import PikaMemory

/// A memory as the Mem0 API shows it: `id`, `memory`, the entity ids, `metadata`, `categories`,
/// `hash`, timestamps, and `score` in search answers; and Pika's `kind` and `occurred_at`, which Mem0's
/// SDKs pass through as they do any field they do not know.
struct Mem0Record: Encodable {
    /// The metadata key that holds Mem0's `app_id` (Pika has no app scope of its own).
    static let appIDKey = "app_id"

    let record: MemoryRecord
    var score: Float?

    enum CodingKeys: String, CodingKey {
        case id, memory, hash, metadata, categories, score, immutable, owner, kind
        case occurredAt = "occurred_at"
        case userID = "user_id"
        case agentID = "agent_id"
        case runID = "run_id"
        case appID = "app_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case expirationDate = "expiration_date"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(record.id, forKey: .id)
        try c.encode(record.text, forKey: .memory)
        try c.encode(SHA256.hex(record.text), forKey: .hash)
        var metadata = record.metadata
        let app = metadata.removeValue(forKey: Self.appIDKey)?.stringValue
        try c.encode(metadata, forKey: .metadata)
        try c.encode([String](), forKey: .categories)
        try c.encode(record.scope.userID, forKey: .userID)
        try c.encode(record.agentID, forKey: .agentID)
        try c.encode(record.runID, forKey: .runID)
        try c.encode(app, forKey: .appID)
        try c.encode(record.scope.userID, forKey: .owner)
        try c.encode(false, forKey: .immutable)
        try c.encode(Optional<String>.none, forKey: .expirationDate)
        try c.encode(ISO8601Timestamp.string(from: record.createdAt), forKey: .createdAt)
        try c.encode(ISO8601Timestamp.string(from: record.updatedAt), forKey: .updatedAt)
        if let score { try c.encode(min(1, max(0, score)), forKey: .score) }
        try c.encode(record.kind.rawValue, forKey: .kind)
        try c.encode(record.occurredAt.map(ISO8601Timestamp.string(from:)), forKey: .occurredAt)
    }
}

/// A history entry as the Mem0 API shows it (the SDK's `history()` returns a bare list of these).
struct Mem0HistoryEntry: Encodable {
    let entry: HistoryEntry
    let userID: String?

    enum CodingKeys: String, CodingKey {
        case id, event, input, metadata
        case memoryID = "memory_id"
        case userID = "user_id"
        case oldMemory = "old_memory"
        case newMemory = "new_memory"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let created = ISO8601Timestamp.string(from: entry.createdAt)
        // History rows have no id of their own; this one is stable for the same entry.
        try c.encode(SHA256.hex("\(entry.memoryID)|\(entry.event)|\(created)").prefix(32).description, forKey: .id)
        try c.encode(entry.memoryID, forKey: .memoryID)
        try c.encode(userID, forKey: .userID)
        try c.encode(entry.event, forKey: .event)
        try c.encode(entry.oldMemory, forKey: .oldMemory)
        try c.encode(entry.newMemory, forKey: .newMemory)
        try c.encode([String](), forKey: .input)
        try c.encode([String: String](), forKey: .metadata)
        try c.encode(created, forKey: .createdAt)
        try c.encode(created, forKey: .updatedAt)
    }
}

extension MemoryRecord {
    /// A blank record, used to evaluate one ``MemoryFilter`` comparison on a lone value.
    static let probe = MemoryRecord(
        id: "", scope: MemoryScope(tenant: "", userID: ""), text: "", createdAt: .distantPast, updatedAt: .distantPast)
}
