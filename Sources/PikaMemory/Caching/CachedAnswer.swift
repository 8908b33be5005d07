import Foundation

/// A search answer as the L1 tier stores it: JSON holding the canonical query it answers (checked
/// on read, so even a hash collision can never serve another query's answer), the memories without
/// their embeddings, their scores and the graph relations.
struct CachedAnswer: Codable {
    var query: String
    var results: [CachedRecord]
    var relations: [GraphRelation]

    init(query: String, answer: SearchAnswer) {
        self.query = query
        results = answer.results.map { CachedRecord($0.record, score: $0.score) }
        relations = answer.relations
    }

    var answer: SearchAnswer {
        SearchAnswer(results: results.map { ($0.record, $0.score ?? 0) }, relations: relations)
    }

    /// The entry's JSON: what `JSONEncoder` with sorted keys and unescaped slashes writes, without
    /// its generic containers (they cost about a tenth of the server's CPU per search when every
    /// engine answer was stored, docs/benchmarks-archive.md). Throws, as `JSONEncoder` does, on a
    /// non-finite number (the answer is then not cached).
    func encoded() throws -> [UInt8] {
        var json = JSONWriter(capacity: 256 + query.utf8.count + results.count * 512)
        json.raw("{")
        json.key("query")
        json.string(query)
        json.raw(",\"relations\":[")
        for (i, relation) in relations.enumerated() {
            json.raw(i == 0 ? "{" : ",{")
            json.member("relation", relation.relation, first: true)
            json.member("source", relation.source)
            json.member("target", relation.target)
            json.raw("}")
        }
        json.raw("],\"results\":[")
        for (i, record) in results.enumerated() {
            if i > 0 { json.raw(",") }
            try record.write(to: &json)
        }
        json.raw("]}")
        return json.bytes
    }

    /// The answer in `bytes` if they hold one for `query`.
    static func decode(_ bytes: [UInt8], query: String) -> SearchAnswer? {
        guard let entry = try? JSONDecoder().decode(CachedAnswer.self, from: Data(bytes)), entry.query == query else { return nil }
        return entry.answer
    }
}

/// A memory record (without its embedding) in cached JSON: L1 answers and L2 summaries.
struct CachedRecord: Codable, Equatable {
    var id: String
    var label: UInt64
    var tenant: String
    var userID: String
    var agentID: String?
    var runID: String?
    var text: String
    var metadata: [String: JSONValue]
    var attribute: String?
    var provenance: [String]
    var createdAt: Double
    var updatedAt: Double
    var score: Float?

    enum CodingKeys: String, CodingKey {
        case id, label, tenant, text, metadata, attribute, provenance, score
        case userID = "user_id"
        case agentID = "agent_id"
        case runID = "run_id"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    init(_ record: MemoryRecord, score: Float? = nil) {
        id = record.id
        label = record.label
        tenant = record.scope.tenant
        userID = record.scope.userID
        agentID = record.agentID
        runID = record.runID
        text = record.text
        metadata = record.metadata
        attribute = record.attribute
        provenance = record.provenance
        createdAt = record.createdAt.timeIntervalSince1970
        updatedAt = record.updatedAt.timeIntervalSince1970
        self.score = score
    }

    /// Writes the record as `JSONEncoder` with sorted keys does: nil optionals left out.
    func write(to json: inout JSONWriter) throws {
        for number in [createdAt, updatedAt, score.map(Double.init) ?? 0] where !number.isFinite {
            throw EncodingError.invalidValue(number, .init(codingPath: [], debugDescription: "a cached record's number is not finite"))
        }
        json.raw("{")
        var first = true
        if let agentID {
            json.member("agent_id", agentID, first: true)
            first = false
        }
        if let attribute {
            json.member("attribute", attribute, first: first)
            first = false
        }
        if !first { json.raw(",") }
        json.key("created_at")
        json.number(createdAt)
        json.member("id", id)
        json.raw(",\"label\":")
        json.integer(label)
        json.raw(",\"metadata\":")
        json.object(metadata)
        json.raw(",\"provenance\":[")
        for (i, item) in provenance.enumerated() {
            if i > 0 { json.raw(",") }
            json.string(item)
        }
        json.raw("]")
        if let runID { json.member("run_id", runID) }
        if let score {
            json.raw(",\"score\":")
            json.number(score)
        }
        json.member("tenant", tenant)
        json.member("text", text)
        json.raw(",\"updated_at\":")
        json.number(updatedAt)
        json.member("user_id", userID)
        json.raw("}")
    }

    var record: MemoryRecord {
        MemoryRecord(
            id: id, label: label, scope: MemoryScope(tenant: tenant, userID: userID), agentID: agentID, runID: runID,
            text: text, metadata: metadata, attribute: attribute, provenance: provenance,
            createdAt: Date(timeIntervalSince1970: createdAt), updatedAt: Date(timeIntervalSince1970: updatedAt))
    }
}
