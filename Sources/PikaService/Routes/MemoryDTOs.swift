import Foundation
import PikaMemory

/// A memory as the API shows it.
struct MemoryOut: Encodable {
    let record: MemoryRecord
    var score: Float?

    enum CodingKeys: String, CodingKey {
        case id, memory, score, metadata, provenance, kind
        case occurredAt = "occurred_at"
        case userID = "user_id"
        case agentID = "agent_id"
        case runID = "run_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(record.id, forKey: .id)
        try c.encode(record.text, forKey: .memory)
        try c.encodeIfPresent(score, forKey: .score)
        try c.encode(record.metadata, forKey: .metadata)
        try c.encode(record.provenance, forKey: .provenance)
        try c.encode(record.kind.rawValue, forKey: .kind)
        try c.encode(record.occurredAt.map(Timestamps.format), forKey: .occurredAt)
        try c.encode(record.scope.userID, forKey: .userID)
        try c.encode(record.agentID, forKey: .agentID)
        try c.encode(record.runID, forKey: .runID)
        try c.encode(Timestamps.format(record.createdAt), forKey: .createdAt)
        try c.encode(Timestamps.format(record.updatedAt), forKey: .updatedAt)
    }

    /// The same object as ``encode(to:)`` writes, keys in sorted order (the search path's writer).
    func write(to json: inout JSONWriter) {
        json.raw("{")
        json.member("agent_id", record.agentID, first: true)
        json.member("created_at", Timestamps.format(record.createdAt))
        json.member("id", record.id)
        json.member("kind", record.kind.rawValue)
        json.member("memory", record.text)
        json.raw(",")
        json.key("metadata")
        json.object(record.metadata)
        json.member("occurred_at", record.occurredAt.map(Timestamps.format))
        json.raw(",")
        json.key("provenance")
        json.value(.array(record.provenance.map(JSONValue.string)))
        json.member("run_id", record.runID)
        if let score {
            json.raw(",")
            json.key("score")
            json.number(score)
        }
        json.member("updated_at", Timestamps.format(record.updatedAt))
        json.member("user_id", record.scope.userID)
        json.raw("}")
    }
}

/// The body of a search answer, `{"relations":[…],"results":[…]}`, written without `JSONEncoder`.
enum SearchAnswerJSON {
    /// The answer's bytes.
    static func bytes(results: [MemoryOut], relations: [GraphRelation]) -> [UInt8] {
        var json = JSONWriter(capacity: 512 + results.count * 512)
        json.raw("{")
        json.key("relations")
        json.raw("[")
        for (i, relation) in relations.enumerated() {
            if i > 0 { json.raw(",") }
            json.raw("{")
            json.member("relation", relation.relation, first: true)
            json.member("source", relation.source)
            json.member("target", relation.target)
            json.raw("}")
        }
        json.raw("],")
        json.key("results")
        json.raw("[")
        for (i, result) in results.enumerated() {
            if i > 0 { json.raw(",") }
            result.write(to: &json)
        }
        json.raw("]}")
        return json.bytes
    }
}

/// A history entry as the API shows it.
struct HistoryOut: Encodable {
    let entry: HistoryEntry

    enum CodingKeys: String, CodingKey {
        case event
        case oldMemory = "old_memory"
        case newMemory = "new_memory"
        case createdAt = "created_at"
        case memoryID = "memory_id"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(entry.memoryID, forKey: .memoryID)
        try c.encode(entry.event, forKey: .event)
        try c.encode(entry.oldMemory, forKey: .oldMemory)
        try c.encode(entry.newMemory, forKey: .newMemory)
        try c.encode(Timestamps.format(entry.createdAt), forKey: .createdAt)
    }
}

/// A job as the API shows it.
struct JobOut: Encodable {
    let job: JobRecord

    enum CodingKeys: String, CodingKey {
        case id, status, attempts, result, error
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(job.id, forKey: .id)
        try c.encode(job.status, forKey: .status)
        try c.encode(job.attempts, forKey: .attempts)
        let result = job.result.flatMap { try? JSONReader.parse($0) }
        try c.encodeIfPresent(result, forKey: .result)
        try c.encodeIfPresent(job.error, forKey: .error)
        try c.encode(Timestamps.format(job.createdAt), forKey: .createdAt)
        try c.encode(Timestamps.format(job.updatedAt), forKey: .updatedAt)
    }
}

/// ISO 8601 with milliseconds, UTC.
enum Timestamps {
    static func format(_ date: Date) -> String { ISO8601Timestamp.string(from: date) }
}

/// List cursors: the decimal label of the page's last memory. Any such number is a position (the
/// page starts after it), so a cursor needs no signature and no server state.
enum Cursor {
    static func encode(_ label: UInt64) -> String { String(label) }

    /// The label of `text`, nil unless it is 1-19 ASCII digits (every such number fits a UInt64).
    static func decode(_ text: String) -> UInt64? {
        guard (1...19).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        return UInt64(text)
    }
}
