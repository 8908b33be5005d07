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

    func encoded() throws -> [UInt8] { Array(try JSONEncoder().encode(self)) }

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
        case userID = "user_id", agentID = "agent_id", runID = "run_id", createdAt = "created_at", updatedAt = "updated_at"
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

    var record: MemoryRecord {
        MemoryRecord(
            id: id, label: label, scope: MemoryScope(tenant: tenant, userID: userID), agentID: agentID, runID: runID,
            text: text, metadata: metadata, attribute: attribute, provenance: provenance,
            createdAt: Date(timeIntervalSince1970: createdAt), updatedAt: Date(timeIntervalSince1970: updatedAt))
    }
}
