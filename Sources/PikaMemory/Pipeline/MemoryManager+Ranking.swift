import Foundation
import PikaRetrieval

extension MemoryManager {
    /// The ranking stage of ``search(_:)``: the user's best `query.limit` records under
    /// `query.mode`, with the mode's score, best first.
    ///
    /// - Parameters:
    ///   - text: the trimmed query (keyword signal).
    ///   - vector: its embedding (unused, and empty, in keyword mode).
    ///   - allowed: the labels filters allow, nil when unfiltered; both signals rank only these.
    func rankedRecords(
        text: String, vector: [Float], query: SearchQuery, allowed: [UInt64]?
    ) async throws
        -> [(record: MemoryRecord, score: Double)]
    {
        // Time and speaker boosts (RankingBoosts) reorder the candidates. A time span reaches for a
        // deeper list (then cut), since the memories of that span may rank low on words alone; a name
        // only reorders what was found, which keeps the read path's cost where it was.
        let reference = query.referenceTime ?? Date()
        let boosts = RankingBoosts()
        let boosting = boosts.applies(to: text, reference: reference)
        let deepen = boosting && TemporalQuery.span(in: text, reference: reference) != nil
        let limit = deepen ? max(query.limit, hybridCandidateDepth) : query.limit
        let hits: [RankedHit]
        var known = NearestRecords()
        switch query.mode {
        case .vector:
            (hits, known) = try await vectorHits(vector, scope: query.scope, limit: limit, allowed: allowed)
        case .keyword:
            hits = try await keywordHits(text, scope: query.scope, limit: limit, allowed: allowed)
        case .hybrid:
            let signals = try await candidates(
                text: text, vector: vector, scope: query.scope, depth: max(query.limit, hybridCandidateDepth), allowed: allowed)
            known = signals.records
            hits = RankFusion.fuse(vector: signals.vector, keyword: signals.keyword, method: fusion, k: limit)
        }
        let ranked = try await records(of: hits, scope: query.scope, known: known)
        guard boosting else { return ranked }
        return Array(boosts.apply(to: ranked, query: text, reference: reference).prefix(query.limit))
    }

    /// What a hybrid search fuses: the user's `depth` nearest memories (cosine) and `depth` best
    /// BM25 matches, each best first with its raw score, among `allowed` (all when nil); with the
    /// records the vector search returned beside its hits. `pika eval --candidates-out` logs these
    /// to compare fusion methods offline on exactly what the service fuses.
    public func candidates(
        text: String, vector: [Float], scope: MemoryScope, depth: Int, allowed: [UInt64]? = nil
    )
        async throws -> (vector: [RankedHit], keyword: [RankedHit], records: NearestRecords)
    {
        let (dense, records) = try await vectorHits(vector, scope: scope, limit: depth, allowed: allowed)
        let sparse = try await keywordHits(text, scope: scope, limit: depth, allowed: allowed)
        return (dense, sparse, records)
    }

    /// The user's `limit` best BM25 matches among `allowed` (all when nil), best first. Memories
    /// sharing no term with the query are not returned.
    func keywordHits(_ text: String, scope: MemoryScope, limit: Int, allowed: [UInt64]?) async throws -> [RankedHit] {
        let store = store
        let index = try await keywordIndexes.index(for: scope) { try await store.allRecords(scope: scope) }
        guard let allowed else { return index.search(text, k: limit) }
        // Rank every match, then keep the allowed ones: the filter applies before the top-k cut.
        let permitted = Set(allowed)
        return Array(index.search(text, k: index.count).lazy.filter { permitted.contains($0.label) }.prefix(limit))
    }
}
