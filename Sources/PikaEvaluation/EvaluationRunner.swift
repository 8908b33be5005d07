import PikaEmbeddings
import PikaEngine
import PikaRetrieval

/// Runs a dataset through the real engine and retrieval code and scores every query.
///
/// Documents are ingested into a fresh ``VectorIndex`` (cosine) and ``KeywordIndex`` through a
/// ``HybridSearcher``; each query is then embedded and searched one at a time, timed end to end
/// (embedding + search + fusion). Corpus embeddings go through an ``EmbeddingCache``.
public struct EvaluationRunner: Sendable {
    /// Reports progress: a phase name, items done, items in all.
    public typealias Progress = @Sendable (_ phase: String, _ done: Int, _ total: Int) -> Void

    /// The run's settings.
    public var configuration: EvaluationConfiguration
    /// The embedder for documents and queries (unused in keyword mode).
    public var embedder: any Embedder
    /// Where corpus embeddings are cached, if anywhere.
    public var cache: EmbeddingCache?
    /// Progress callback.
    public var progress: Progress

    /// Creates a runner.
    public init(
        configuration: EvaluationConfiguration, embedder: any Embedder, cache: EmbeddingCache? = nil,
        progress: @escaping Progress = { _, _, _ in }
    ) {
        self.configuration = configuration
        self.embedder = embedder
        self.cache = cache
        self.progress = progress
    }

    private var usesVectors: Bool { configuration.mode != .keyword }

    // MARK: BEIR

    /// Evaluates a BEIR dataset; every document belongs to one tenant.
    public func run(_ dataset: BEIRDataset, name: String) async throws(EvaluationError) -> EvaluationReport {
        let clock = ContinuousClock()
        let started = clock.now
        let texts = dataset.documents.map(\.fullText)
        let labels = (0..<texts.count).map { UInt64($0) }
        let searcher = try await ingest(labels: labels, tenants: [UInt32](repeating: 0, count: texts.count), texts: texts)
        let ingestSeconds = seconds(clock.now - started)

        var rankings: [(ranking: [String], judgements: Judgements)] = []
        var latencies: [Double] = []
        var candidates = CandidateLog(path: configuration.candidatesPath)
        for (index, query) in dataset.queries.enumerated() {
            let (hits, milliseconds, vector) = try await search(searcher, text: query.text, tenant: 0)
            latencies.append(milliseconds)
            rankings.append((hits.map { dataset.documents[Int($0.label)].id }, dataset.qrels[query.id] ?? [:]))
            candidates.record(
                searcher, text: query.text, vector: vector, tenant: 0, judgements: dataset.qrels[query.id] ?? [:],
                category: nil) { dataset.documents[Int($0)].id }
            progress("queries", index + 1, dataset.queries.count)
        }
        candidates.write()
        let overall = MetricSummary(rankings: rankings)
        guard overall.queries > 0 else { throw EvaluationError(.emptyDataset, "no query has a relevant document") }
        return report(name: name, format: "beir", overall: overall, categories: [:], latencies: latencies,
                      documents: texts.count, ingestSeconds: ingestSeconds)
    }

    // MARK: LoCoMo

    /// Evaluates LoCoMo with every dialogue turn as a memory; each conversation is one tenant.
    ///
    /// A turn's text is `"speaker: text"`. The headline figures cover categories 1–4; each
    /// category, adversarial (5) included, is reported apart.
    public func run(_ dataset: LoCoMoDataset, name: String) async throws(EvaluationError) -> EvaluationReport {
        let clock = ContinuousClock()
        let started = clock.now
        var labels: [UInt64] = []
        var tenants: [UInt32] = []
        var texts: [String] = []
        var diaIDs: [String] = []
        for (tenant, conversation) in dataset.conversations.enumerated() {
            for turn in conversation.turns {
                labels.append(UInt64(labels.count))
                tenants.append(UInt32(tenant))
                texts.append("\(turn.speaker): \(turn.text)")
                diaIDs.append(turn.diaID)
            }
        }
        let searcher = try await ingest(labels: labels, tenants: tenants, texts: texts)
        let ingestSeconds = seconds(clock.now - started)

        let total = dataset.conversations.reduce(0) { $0 + $1.questions.count }
        var byCategory: [Int: [(ranking: [String], judgements: Judgements)]] = [:]
        var latencies: [Double] = []
        var done = 0
        var candidates = CandidateLog(path: configuration.candidatesPath)
        for (tenant, conversation) in dataset.conversations.enumerated() {
            for question in conversation.questions {
                let (hits, milliseconds, vector) = try await search(
                    searcher, text: question.text, tenant: UInt32(tenant))
                latencies.append(milliseconds)
                let judgements = Dictionary(question.evidence.map { ($0, 1) }, uniquingKeysWith: max)
                candidates.record(
                    searcher, text: question.text, vector: vector, tenant: UInt32(tenant), judgements: judgements,
                    category: question.category) { diaIDs[Int($0)] }
                byCategory[question.category, default: []].append((hits.map { diaIDs[Int($0.label)] }, judgements))
                done += 1
                progress("queries", done, total)
            }
        }
        candidates.write()
        let (overall, categories) = MetricSummary.locomo(byCategory)
        return report(name: name, format: "locomo", overall: overall, categories: categories, latencies: latencies,
                      documents: texts.count, ingestSeconds: ingestSeconds)
    }

    // MARK: Steps

    private func ingest(labels: [UInt64], tenants: [UInt32], texts: [String]) async throws(EvaluationError)
        -> HybridSearcher
    {
        let dimension = embedder.dimension
        let index: VectorIndex
        do {
            var indexConfiguration = IndexConfiguration(dimension: dimension, metric: .cosine)
            indexConfiguration.maxElements = max(labels.count, 1)
            index = try VectorIndex(configuration: indexConfiguration)
        } catch {
            throw EvaluationError(.retrieval, "\(error)")
        }
        let keywords = KeywordIndex(parameters: configuration.bm25)
        let searcher = HybridSearcher(
            vectors: index, keywords: keywords, fusion: configuration.fusion, candidateDepth: configuration.depth)
        if usesVectors {
            let report = progress
            let vectors: [[Float]]
            if let cache {
                vectors = try await cache.embeddings(of: texts, using: embedder) { report("embed", $0, $1) }
            } else {
                do { vectors = try await embedder.embed(texts) } catch { throw EvaluationError(.embedding, "\(error)") }
            }
            do {
                try searcher.add(
                    labels: labels, tenants: tenants, texts: texts, vectors: vectors.flatMap { $0 },
                    threads: configuration.threads)
            } catch {
                throw EvaluationError(.retrieval, "\(error)")
            }
        } else {
            keywords.add((0..<labels.count).map { (labels[$0], tenants[$0], texts[$0]) })
        }
        progress("index", labels.count, labels.count)
        return searcher
    }

    private func search(_ searcher: HybridSearcher, text: String, tenant: UInt32) async throws(EvaluationError)
        -> ([RankedHit], Double, [Float]?)
    {
        let clock = ContinuousClock()
        let started = clock.now
        var vector: [Float]?
        if usesVectors {
            do { vector = try await embedder.embedQuery(text) } catch { throw EvaluationError(.embedding, "\(error)") }
        }
        let hits: [RankedHit]
        do {
            hits = try searcher.search(
                text: text, vector: vector, tenant: tenant, k: configuration.depth, mode: configuration.mode)
        } catch {
            throw EvaluationError(.retrieval, "\(error)")
        }
        return (hits, seconds(clock.now - started) * 1000, vector)
    }

    private func report(
        name: String, format: String, overall: MetricSummary, categories: [String: MetricSummary],
        latencies: [Double], documents: Int, ingestSeconds: Double
    ) -> EvaluationReport {
        EvaluationReport(
            dataset: name, format: format, mode: configuration.mode.rawValue,
            embedder: usesVectors ? embedder.identity.description : "none",
            fusion: configuration.mode == .hybrid ? configuration.fusion.description : nil, overall: overall,
            categories: categories, p50Milliseconds: percentile(latencies, 0.5), p95Milliseconds: percentile(latencies, 0.95),
            documents: documents, ingestSeconds: ingestSeconds)
    }
}
