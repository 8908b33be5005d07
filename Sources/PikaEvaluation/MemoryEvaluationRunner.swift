import Logging
import PikaEmbeddings
import PikaEngine
import PikaMemory
import PikaRetrieval

/// LoCoMo at `--granularity memories`: each conversation goes through the service's real memory
/// pipeline and each question through its real search.
///
/// Each conversation is one user. Its sessions are added in order, one ``MemoryManager/add(_:scope:)``
/// per session (extraction, embedding, ADD/UPDATE/DELETE/NONE consolidation against what earlier
/// sessions left, history, graph), each message carrying its `dia_id` as provenance
/// (``LoCoMoDataset/messages(session:dateTime:turns:)``). Then every question is a
/// ``MemoryManager/search(_:)`` for that user, 100 deep, and a memory is relevant when its
/// provenance includes an evidence `dia_id` (``ProvenanceIndex``). A question whose evidence no
/// memory carries scores 0 (its answer was lost in extraction); ``EvaluationReport/counts``
/// says how many questions of categories 1–4 had at least one relevant memory (`covered`).
public struct MemoryEvaluationRunner: Sendable {
    /// The tenant every LoCoMo user is created in.
    public static let tenant = "locomo-eval"

    /// The modes ``MemoryManager/search(_:)`` offers.
    public static let modes: [RetrievalMode] = RetrievalMode.allCases

    /// The search mode handed to the service search (one of ``modes``).
    public var mode: RetrievalMode
    /// The hybrid fusion (the service's unless a run compares another).
    public var fusion: FusionMethod = .serviceDefault
    /// The keyword signal's BM25 parameters.
    public var bm25 = BM25Parameters()
    /// The embedder of memories and queries.
    public var embedder: any Embedder
    /// The extractor (rules offline, the LLM when configured).
    public var extractor: any FactExtractor
    /// The consolidation decider (the LLM when configured), else the rules.
    public var decider: (any ConsolidationDecider)?
    /// Progress callback.
    public var progress: EvaluationRunner.Progress
    /// Where the pipeline logs.
    public var logger: Logger

    /// Creates a runner.
    public init(
        mode: RetrievalMode, embedder: any Embedder, extractor: any FactExtractor,
        decider: (any ConsolidationDecider)? = nil, progress: @escaping EvaluationRunner.Progress = { _, _, _ in },
        logger: Logger = Logger(label: "pika.eval", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.mode = mode
        self.embedder = embedder
        self.extractor = extractor
        self.decider = decider
        self.progress = progress
        self.logger = logger
    }

    /// Runs the dataset and scores every question.
    public func run(_ dataset: LoCoMoDataset, name: String) async throws(EvaluationError) -> EvaluationReport {
        guard Self.modes.contains(mode) else {
            throw EvaluationError(.retrieval, "the service search offers \(Self.modes.map(\.rawValue)) only, not \(mode.rawValue)")
        }
        let pipeline = try await MemoryPipeline(
            embedder: embedder, extractor: extractor, decider: decider, fusion: fusion, bm25: bm25, logger: logger)
        defer { pipeline.close() }
        let manager = pipeline.manager
        let clock = ContinuousClock()
        let started = clock.now
        var events: [MemoryEvent: Int] = [:]
        var indexes: [ProvenanceIndex] = []
        var memories = 0
        let sessions = dataset.conversations.reduce(0) { $0 + $1.sessions.count }
        var done = 0
        for conversation in dataset.conversations {
            let scope = MemoryScope(tenant: Self.tenant, userID: conversation.sampleID)
            for session in conversation.sessions {
                let input = AddInput(
                    messages: LoCoMoDataset.messages(session: session.number, dateTime: session.dateTime, turns: session.turns),
                    metadata: ["session": .number(Double(session.number)), "session_date_time": .string(session.dateTime)],
                    timestamp: LoCoMoDataset.sessionDate(session.dateTime))
                do {
                    for result in try await manager.add(input, scope: scope) { events[result.event, default: 0] += 1 }
                } catch {
                    throw EvaluationError(
                        .pipeline, "adding \(conversation.sampleID) session \(session.number): \(error)")
                }
                done += 1
                progress("ingest", done, sessions)
            }
            do {
                let records = try await manager.store.allRecords(scope: scope)
                memories += records.count
                indexes.append(ProvenanceIndex(records.map { ($0.id, $0.provenance) }))
            } catch {
                throw EvaluationError(.pipeline, "reading \(conversation.sampleID)'s memories: \(error)")
            }
        }
        let ingestSeconds = (clock.now - started).inSeconds

        let total = dataset.conversations.reduce(0) { $0 + $1.questions.count }
        var byCategory: [Int: [(ranking: [String], judgements: Judgements)]] = [:]
        var latencies: [Double] = []
        var covered = 0
        done = 0
        for (conversation, index) in zip(dataset.conversations, indexes) {
            let scope = MemoryScope(tenant: Self.tenant, userID: conversation.sampleID)
            for question in conversation.questions {
                let judgements = index.judgements(evidence: question.evidence)
                if question.category != 5 && RankingMetrics.isJudged(judgements)
                    && judgements[ProvenanceIndex.lostEvidence] == nil
                {
                    covered += 1
                }
                let searchStarted = clock.now
                let answer: SearchAnswer
                do {
                    answer = try await manager.search(SearchQuery(text: question.text, scope: scope, limit: 100, mode: mode))
                } catch {
                    throw EvaluationError(.pipeline, "searching \(conversation.sampleID) for \"\(question.text)\": \(error)")
                }
                latencies.append((clock.now - searchStarted).inMilliseconds)
                byCategory[question.category, default: []].append((answer.results.map(\.record.id), judgements))
                done += 1
                progress("queries", done, total)
            }
        }
        let (overall, categories) = MetricSummary.locomo(byCategory)
        var counts = ["memories": memories, "covered": covered]
        for (event, count) in events { counts["events_\(event.rawValue.lowercased())"] = count }
        return EvaluationReport(
            dataset: name, format: "locomo", mode: mode.rawValue, embedder: embedder.identity.description,
            fusion: mode == .hybrid ? fusion.description : nil,
            overall: overall, categories: categories, p50Milliseconds: percentile(latencies, 0.5),
            p95Milliseconds: percentile(latencies, 0.95), documents: memories, ingestSeconds: ingestSeconds,
            details: ["granularity": "memories", "extractor": extractor.name], counts: counts)
    }
}
