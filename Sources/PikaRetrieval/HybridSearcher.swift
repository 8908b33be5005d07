import PikaEngine

/// Vector search, keyword search, or both fused: one entry point over a ``VectorIndex`` and a
/// ``KeywordIndex`` that it keeps in step.
///
/// Writes go through ``add(_:tenant:text:vector:)`` and ``remove(_:)`` so that both indexes
/// always hold the same labels. A search fetches ``candidateDepth`` hits from each signal,
/// restricted to the tenant, and fuses them with ``fusion``. The memory service can adopt this
/// type as the engine stage of its search pipeline; the evaluation runner uses it unchanged.
public final class HybridSearcher: Sendable {
    /// The dense index (cosine or inner product: hit scores are `1 − distance`).
    public let vectors: VectorIndex
    /// The BM25 index.
    public let keywords: KeywordIndex
    /// How hybrid searches merge the two rankings.
    public let fusion: FusionMethod
    /// How many hits each signal contributes before fusion (at least the requested k).
    public let candidateDepth: Int
    /// `ef` for graph searches.
    public let ef: Int

    /// Creates a searcher over existing indexes (which must already agree on their labels).
    ///
    /// The default fusion, normalised-score with equal weights, measured best on both SciFact and
    /// LoCoMo (docs/evaluation.md).
    public init(
        vectors: VectorIndex, keywords: KeywordIndex, fusion: FusionMethod = .normalizedScore(),
        candidateDepth: Int = 100, ef: Int = 200
    ) {
        self.vectors = vectors
        self.keywords = keywords
        self.fusion = fusion
        self.candidateDepth = max(1, candidateDepth)
        self.ef = ef
    }

    /// Adds one document to both indexes.
    /// - Throws: ``RetrievalError/Code/engine`` when the engine refuses the vector; the keyword
    ///   index is then left unchanged.
    public func add(_ label: UInt64, tenant: UInt32, text: String, vector: [Float]) throws(RetrievalError) {
        do { try vectors.add(label: label, tenant: tenant, vector: vector) } catch { throw RetrievalError(error) }
        keywords.add(label, tenant: tenant, text: text)
    }

    /// Adds many documents: `vectors` holds one row of the index's dimension per label.
    public func add(
        labels: [UInt64], tenants: [UInt32], texts: [String], vectors rows: [Float], threads: Int = 1
    ) throws(RetrievalError) {
        guard labels.count == tenants.count, labels.count == texts.count else {
            throw RetrievalError(
                .inconsistentLabel, "\(labels.count) labels, \(tenants.count) tenants, \(texts.count) texts")
        }
        do {
            try vectors.add(labels: labels, tenants: tenants, vectors: rows, threads: threads)
        } catch { throw RetrievalError(error) }
        keywords.add((0..<labels.count).map { (labels[$0], tenants[$0], texts[$0]) })
    }

    /// Removes a document from both indexes.
    public func remove(_ label: UInt64) throws(RetrievalError) {
        do { try vectors.remove(label: label) } catch { throw RetrievalError(error) }
        keywords.remove(label)
    }

    /// The best `k` documents of `tenant` for a query.
    ///
    /// - Parameters:
    ///   - text: the query text (keyword signal).
    ///   - vector: the query's embedding; required for `.vector` and `.hybrid`.
    ///   - tenant: the user whose documents are searched.
    ///   - k: how many hits to return.
    ///   - mode: which signals to use.
    public func search(
        text: String, vector: [Float]?, tenant: UInt32, k: Int, mode: RetrievalMode
    ) throws(RetrievalError) -> [RankedHit] {
        let depth = max(k, candidateDepth)
        switch mode {
        case .keyword:
            return keywords.search(text, tenant: tenant, k: k)
        case .vector:
            return try vectorHits(vector, tenant: tenant, k: k)
        case .hybrid:
            let dense = try vectorHits(vector, tenant: tenant, k: depth)
            let sparse = keywords.search(text, tenant: tenant, k: depth)
            return RankFusion.fuse(vector: dense, keyword: sparse, method: fusion, k: k)
        }
    }

    private func vectorHits(_ vector: [Float]?, tenant: UInt32, k: Int) throws(RetrievalError) -> [RankedHit] {
        guard let vector else { throw RetrievalError(.vectorRequired, "a vector or hybrid search needs a query vector") }
        let available = vectors.count(tenant: tenant)
        guard available > 0 else { return [] }
        let limit = min(k, available)
        let options = SearchOptions(k: limit, ef: max(ef, limit), tenant: tenant)
        do {
            return try vectors.search(vector, options: options).hits.map {
                RankedHit(label: $0.label, score: Double(1 - $0.distance))
            }
        } catch { throw RetrievalError(error) }
    }
}
