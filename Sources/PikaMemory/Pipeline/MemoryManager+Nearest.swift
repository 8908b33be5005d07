import PikaEngine
import PikaRetrieval

/// Nearest-neighbour look-ups of one user's memories (the in-memory index or a searching store).
extension MemoryManager {
    /// The user's `limit` memories most similar to `vector`, with cosine similarity, best first.
    func similar(
        _ vector: [Float], scope: MemoryScope, limit: Int, allowed: [UInt64]? = nil
    ) async throws
        -> [(record: MemoryRecord, similarity: Float)]
    {
        let found = try await vectorHits(vector, scope: scope, limit: limit, allowed: allowed)
        return try await records(of: found.hits, scope: scope, known: found.records).map { ($0.record, Float($0.score)) }
    }

    /// The `limit` nearest memories of the user (restricted to `allowed` labels when given), scored
    /// by cosine similarity, best first; with the records a searching store returned beside them.
    func vectorHits(
        _ vector: [Float], scope: MemoryScope, limit: Int, allowed: [UInt64]? = nil
    ) async throws
        -> (hits: [RankedHit], records: NearestRecords)
    {
        guard let number = try await existingScopeNumber(scope) else { return ([], NearestRecords()) }
        // A query with no words (punctuation only, for the hashing embedder) embeds to the zero vector,
        // which is near nothing: no hits, rather than the engine's refusal of a zero cosine query.
        guard vector.contains(where: { $0 != 0 }) else { return ([], NearestRecords()) }
        let started = ContinuousClock.now
        defer { metrics.engineLatency.record(milliseconds(since: started)) }
        if let searchingStore {
            let found = try await searchingStore.nearest(vector, scopeNumber: number, limit: limit, allowed: allowed.map(Set.init))
            return (found.hits.map { RankedHit(label: $0.label, score: Double($0.similarity)) }, found)
        }
        let available = allowed?.count ?? index.count(tenant: number)
        let k = min(limit, available)
        guard k > 0 else { return ([], NearestRecords()) }
        var options = SearchOptions(k: k, ef: max(64, k), tenant: number)
        options.allowedLabels = allowed
        let hits = try index.search(vector, options: options).hits
        return (hits.map { RankedHit(label: $0.label, score: Double(1 - $0.distance)) }, NearestRecords())
    }

    /// The live records of `hits`, in the hits' order (hits whose record is gone are skipped);
    /// records a vector search returned (`known`) are taken from it, the rest read from the store.
    func records(
        of hits: [RankedHit], scope: MemoryScope, known: NearestRecords = NearestRecords()
    ) async throws
        -> [(record: MemoryRecord, score: Double)]
    {
        var records: [UInt64: MemoryRecord] = [:]
        var missing: [UInt64] = []
        for hit in hits {
            if let record = try known.record(label: hit.label) { records[hit.label] = record } else { missing.append(hit.label) }
        }
        if !missing.isEmpty {
            for record in try await store.records(labels: missing, scope: scope) { records[record.label] = record }
        }
        return hits.compactMap { hit in records[hit.label].map { ($0, hit.score) } }
    }
}
