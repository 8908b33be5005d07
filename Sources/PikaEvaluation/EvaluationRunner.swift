import Foundation
import PikaEmbeddings
import PikaEngine
import PikaMemory
import PikaRetrieval

/// Runs a dataset through the memory service's own search and scores every query.
///
/// Each document (a BEIR passage, a LoCoMo turn) is stored verbatim as one memory through
/// ``MemoryManager/commit(_:scope:)`` into a ``MemoryPipeline`` (the service's segment store and
/// keyword indexes in a temporary data directory), its id as the memory's provenance. Each query is
/// then one ``MemoryManager/search(_:)``, 100 deep, timed end to end (query embedding, both
/// signals, fusion, boosts, graph relations): what `pika serve` answers. Corpus embeddings go
/// through an ``EmbeddingCache``.
public struct EvaluationRunner: Sendable {
    /// Reports progress: a phase name, items done, items in all.
    public typealias Progress = @Sendable (_ phase: String, _ done: Int, _ total: Int) -> Void

    /// The tenant every evaluated user is created in.
    public static let tenant = "eval"

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

    /// One document: the user it belongs to, its text and its id in the dataset.
    struct Document {
        var scope: MemoryScope
        var text: String
        var id: String
    }

    // MARK: BEIR

    /// Evaluates a BEIR dataset; every document belongs to one user.
    public func run(_ dataset: BEIRDataset, name: String) async throws(EvaluationError) -> EvaluationReport {
        let scope = MemoryScope(tenant: Self.tenant, userID: "corpus")
        let documents = dataset.documents.map { Document(scope: scope, text: $0.fullText, id: $0.id) }
        let started = ContinuousClock.now
        let pipeline = try await ingest(documents)
        defer { pipeline.close() }
        let ingestSeconds = (ContinuousClock.now - started).inSeconds

        var rankings: [(ranking: [String], judgements: Judgements)] = []
        var latencies: [Double] = []
        var candidates = CandidateLog(path: usesVectors ? configuration.candidatesPath : nil)
        for (index, query) in dataset.queries.enumerated() {
            let judgements = dataset.qrels[query.id] ?? [:]
            let (ranking, milliseconds) = try await search(pipeline.manager, text: query.text, scope: scope)
            latencies.append(milliseconds)
            rankings.append((ranking, judgements))
            try await candidates.record(pipeline.manager, text: query.text, scope: scope, judgements: judgements, category: nil)
            progress("queries", index + 1, dataset.queries.count)
        }
        candidates.write()
        let overall = MetricSummary(rankings: rankings)
        guard overall.queries > 0 else { throw EvaluationError(.emptyDataset, "no query has a relevant document") }
        return report(
            name: name, format: "beir", overall: overall, categories: [:], latencies: latencies,
            documents: documents.count, ingestSeconds: ingestSeconds)
    }

    // MARK: LoCoMo

    /// Evaluates LoCoMo with every dialogue turn as a memory; each conversation is one user.
    ///
    /// A turn's text is `"speaker: text"`. The headline figures cover categories 1–4; each
    /// category, adversarial (5) included, is reported apart.
    public func run(_ dataset: LoCoMoDataset, name: String) async throws(EvaluationError) -> EvaluationReport {
        var documents: [Document] = []
        for conversation in dataset.conversations {
            let scope = MemoryScope(tenant: Self.tenant, userID: conversation.sampleID)
            for turn in conversation.turns {
                documents.append(Document(scope: scope, text: "\(turn.speaker): \(turn.text)", id: turn.diaID))
            }
        }
        let started = ContinuousClock.now
        let pipeline = try await ingest(documents)
        defer { pipeline.close() }
        let ingestSeconds = (ContinuousClock.now - started).inSeconds

        let total = dataset.conversations.reduce(0) { $0 + $1.questions.count }
        var byCategory: [Int: [(ranking: [String], judgements: Judgements)]] = [:]
        var latencies: [Double] = []
        var done = 0
        var candidates = CandidateLog(path: usesVectors ? configuration.candidatesPath : nil)
        for conversation in dataset.conversations {
            let scope = MemoryScope(tenant: Self.tenant, userID: conversation.sampleID)
            for question in conversation.questions {
                let judgements = Dictionary(question.evidence.map { ($0, 1) }, uniquingKeysWith: max)
                let (ranking, milliseconds) = try await search(pipeline.manager, text: question.text, scope: scope)
                latencies.append(milliseconds)
                try await candidates.record(
                    pipeline.manager, text: question.text, scope: scope, judgements: judgements, category: question.category)
                byCategory[question.category, default: []].append((ranking, judgements))
                done += 1
                progress("queries", done, total)
            }
        }
        candidates.write()
        let (overall, categories) = MetricSummary.locomo(byCategory)
        return report(
            name: name, format: "locomo", overall: overall, categories: categories, latencies: latencies,
            documents: documents.count, ingestSeconds: ingestSeconds)
    }

    // MARK: Steps

    /// Stores every document verbatim, each user's in batches, then seals the segment store (as the
    /// service's maintenance does), so searches scan sealed segments as in steady state.
    private func ingest(_ documents: [Document]) async throws(EvaluationError) -> MemoryPipeline {
        let vectors = try await corpusVectors(documents.map(\.text))
        let pipeline = try await MemoryPipeline(
            embedder: embedder, extractor: RuleExtractor(), decider: nil, fusion: configuration.fusion,
            bm25: configuration.bm25, logger: configuration.logger)
        do {
            var start = 0
            while start < documents.count {
                let scope = documents[start].scope
                var end = start
                while end < documents.count, end - start < 512, documents[end].scope == scope { end += 1 }
                let facts = documents[start..<end].map { ExtractedFact(text: $0.text, provenance: [$0.id]) }
                let prepared = PreparedAdd(
                    facts: facts, vectors: Array(vectors[start..<end]), agentID: nil, runID: nil, metadata: [:], infer: false)
                let stored = try await pipeline.manager.commit(prepared, scope: scope)
                guard stored.count == facts.count else {
                    throw EvaluationError(.pipeline, "stored \(stored.count) of \(facts.count) documents")
                }
                start = end
                progress("index", end, documents.count)
            }
            try await pipeline.store.seal()
        } catch let error as EvaluationError {
            pipeline.close()
            throw error
        } catch {
            pipeline.close()
            throw EvaluationError(.pipeline, "cannot store the documents: \(error)")
        }
        return pipeline
    }

    /// The documents' vectors, through the cache. Keyword mode never reads them, so every document
    /// gets the same unit vector there and nothing is embedded.
    private func corpusVectors(_ texts: [String]) async throws(EvaluationError) -> [[Float]] {
        guard usesVectors else {
            var unit = [Float](repeating: 0, count: embedder.dimension)
            unit[0] = 1
            return Array(repeating: unit, count: texts.count)
        }
        if let cache {
            let report = progress
            return try await cache.embeddings(of: texts, using: embedder) { report("embed", $0, $1) }
        }
        do { return try await embedder.embed(texts) } catch { throw EvaluationError(.embedding, "\(error)") }
    }

    /// One service search, 100 deep: the ranking as document ids and its latency in milliseconds.
    private func search(
        _ manager: MemoryManager, text: String, scope: MemoryScope
    ) async throws(EvaluationError)
        -> ([String], Double)
    {
        let started = ContinuousClock.now
        do {
            let answer = try await manager.search(SearchQuery(text: text, scope: scope, limit: 100, mode: configuration.mode))
            return (answer.results.map { $0.record.provenance.first ?? "" }, (ContinuousClock.now - started).inMilliseconds)
        } catch {
            throw EvaluationError(.retrieval, "searching \(scope.userID) for \"\(text)\": \(error)")
        }
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
