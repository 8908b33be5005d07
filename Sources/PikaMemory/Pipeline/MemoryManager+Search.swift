import Foundation
import PikaEngine

extension MemoryManager {
    /// Searches one user's memories. Filters and agent/run restrictions are evaluated over the user's
    /// records and handed to the engine as its allowed labels (and applied to the keyword signal's
    /// candidates before its top-k), so they apply inside the search. `query.mode` picks the
    /// signals; keyword mode computes no embedding.
    public func search(_ query: SearchQuery) async throws -> SearchAnswer {
        let text = query.text.trimmingWhitespace
        guard !text.isEmpty else { throw MemoryError(.invalidArgument, "query must not be empty") }
        guard (1...100).contains(query.limit) else { throw MemoryError(.invalidArgument, "limit must be 1...100") }
        guard try await existingScopeNumber(query.scope) != nil else {
            return SearchAnswer(results: [], relations: [])
        }
        // The graph lookup reads its own store: it runs beside the embedding and the ranking.
        async let related = relations(for: text, query.scope)
        var allowed: [UInt64]?
        if query.filter != nil || query.agentID != nil || query.runID != nil {
            allowed = try await store.allRecords(scope: query.scope).filter { record in
                (query.agentID == nil || record.agentID == query.agentID)
                    && (query.runID == nil || record.runID == query.runID)
                    && (query.filter?.matches(record) ?? true)
            }.map(\.label)
            if allowed?.isEmpty == true { return SearchAnswer(results: [], relations: try await related) }
        }
        let vector: [Float]
        if query.mode == .keyword {
            vector = []
        } else {
            vector = try await queryEmbeddings.vector(for: text, model: embedder.identity.description, dimension: embedder.dimension) {
                try await embed([text], queries: true)[0]
            }
        }
        var hits = try await rankedRecords(text: text, vector: vector, query: query, allowed: allowed)
        if let threshold = query.threshold { hits = hits.filter { $0.score >= Double(threshold) } }
        metrics.factsSearched.increment(by: Int64(hits.count))
        return SearchAnswer(results: hits.map { ($0.record, Float($0.score)) }, relations: try await related)
    }

    private func relations(for text: String, _ scope: MemoryScope) async throws -> [GraphRelation] {
        let started = ContinuousClock.now
        let relations: [GraphRelation]
        do {
            let names = try await graph.entities(mentionedIn: text, scope: scope).map(\.name)
            relations = try await graph.relations(touching: names, scope: scope)
        } catch let error as MemoryError where error.code == .unavailable {
            // The graph may live in PostgreSQL: while it is down, searches answer without relations.
            logger.warning("graph unavailable; search answers without relations", metadata: ["error": "\(error)"])
            return []
        }
        metrics.graphLatency.record((ContinuousClock.now - started).inMilliseconds)
        return relations
    }
}
