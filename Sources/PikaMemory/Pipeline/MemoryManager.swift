import Foundation
import Logging
import PikaEmbeddings
import PikaEngine
import PikaRetrieval
import Synchronization

/// The memory domain: the add pipeline (extract → embed → consolidate → history → graph), search,
/// record operations and user-level operations, over a record store and the in-memory vector index.
///
/// The store is the source of truth; the index is rebuilt from it at start-up (see docs/architecture.md).
/// Writes of one user are serialised by ``ScopeLocks``; each applies to the store first, then the index.
public final class MemoryManager: Sendable {
    /// Records and history.
    public let store: any MemoryRecordStore
    /// The entity graph.
    public let graph: any GraphStore
    /// The in-memory vector index (engine tenant = the store's scope number), used when the store
    /// does not search vectors itself; empty over a ``VectorSearchingStore``.
    public let index: VectorIndex
    /// The store, when it keeps and searches the vectors itself (the segment store): then every
    /// vector search goes to it, and the in-memory index stays empty.
    let searchingStore: (any VectorSearchingStore)?
    /// Text → vector.
    public let embedder: any Embedder
    /// Conversation → facts.
    public let extractor: any FactExtractor
    /// Rule-based ADD/UPDATE/DELETE/NONE.
    public let consolidator: Consolidator
    /// Decides instead of the rules when set (the LLM when configured).
    public let decider: (any ConsolidationDecider)?
    /// Metrics.
    public let metrics: MemoryMetrics
    let locks = ScopeLocks()
    /// The L3 tier: query embeddings (in-process unless the service configures Redis).
    public let queryEmbeddings = QueryEmbeddingCache()
    /// Told after every committed write to a user (cache version tags, keyword indexes).
    public let writeObservers = WriteObservers()
    /// Set in a `pika worker` process: where prepared adds are committed (``handWrites(to:)``).
    let writeOwner = Mutex<(any WriteOwner)?>(nil)
    /// The keyword signal: per-user BM25 indexes, kept in step with each write to their user.
    public let keywordIndexes: UserKeywordIndexes
    /// Scope numbers already read from the store. A scope's number never changes once assigned
    /// (user deletion keeps the `scopes` row), so searches need not ask the store again.
    let scopeNumbers = Mutex<[MemoryScope: UInt32]>([:])
    /// The users the vector index was loaded with at start-up, for ``prebuildKeywordIndexes()``.
    let loadedUsers: [LoadedUser]
    /// How far ``prebuildKeywordIndexes()`` has got (`/readyz` reports it).
    public let keywordPrebuild = KeywordPrebuildProgress()
    /// How hybrid searches fuse the vector and keyword rankings (``FusionMethod/serviceDefault``
    /// unless `pika eval` asks for another to compare).
    public let fusion: FusionMethod
    /// Candidates each signal contributes to a hybrid search (the depth docs/evaluation.md measured).
    public let hybridCandidateDepth = 100
    let logger: Logger

    /// Creates a manager and loads every stored embedding into a new index (unless `loadsIndex` is
    /// false: offline tools that only import or export never search, so they skip the load).
    public init(
        store: any MemoryRecordStore, graph: any GraphStore, embedder: any Embedder, extractor: any FactExtractor,
        decider: (any ConsolidationDecider)? = nil, metrics: MemoryMetrics = MemoryMetrics(),
        keywordIndexes: UserKeywordIndexes = UserKeywordIndexes(), fusion: FusionMethod = .serviceDefault,
        loadsIndex: Bool = true, logger: Logger
    ) async throws {
        self.decider = decider
        self.fusion = fusion
        self.keywordIndexes = keywordIndexes
        self.store = store
        self.graph = graph
        self.embedder = embedder
        self.extractor = extractor
        self.consolidator = Consolidator()
        self.metrics = metrics
        self.logger = logger
        self.searchingStore = store as? any VectorSearchingStore
        var configuration = IndexConfiguration(dimension: embedder.dimension, metric: .cosine)
        configuration.efConstruction = 100
        let index = try VectorIndex(configuration: configuration)
        self.index = index
        guard loadsIndex, searchingStore == nil else {
            loadedUsers = []
            return
        }
        let loader = IndexLoader()
        try await store.forEachEmbedding { label, scope, vector in loader.append(label, scope, vector) }
        let (labels, tenants, vectors) = loader.take()
        loadedUsers = LoadedUser.group(labels: labels, tenants: tenants)
        if !labels.isEmpty {
            try index.add(labels: labels, tenants: tenants, vectors: vectors, threads: 2)
        }
        logger.info("vector index loaded", metadata: ["memories": "\(labels.count)", "dimension": "\(embedder.dimension)"])
    }

    /// Runs an add: extracts facts (or takes messages verbatim with `infer: false`), consolidates each
    /// against the user's memories, and returns what happened. In a `pika worker` process (a
    /// ``WriteOwner`` set with ``handWrites(to:)``), the consolidation and commit run in the process
    /// that owns the data directory; `job` identifies the job there.
    public func add(_ input: AddInput, scope: MemoryScope, job: String? = nil) async throws -> [AddResult] {
        let facts: [ExtractedFact]
        if input.infer {
            facts = try await extractor.extract(input.timedMessages)
        } else {
            facts = input.timedMessages.enumerated().compactMap { index, message in
                let text = message.content.trimmingCharacters(in: .whitespacesAndNewlines)
                return text.isEmpty
                    ? nil
                    : ExtractedFact(
                        text: text, provenance: [message.provenance(index: index)],
                        occurredAt: message.timestamp)
            }
        }
        metrics.factsExtracted.increment(by: Int64(facts.count))
        guard !facts.isEmpty else { return [] }
        var kept = facts
        var vectors = try await embed(facts.map(\.text))
        // A text with no word (only punctuation or control characters) has the zero vector under the
        // hashing embedder, which cosine search cannot store: nothing in it can be found again. A fact
        // extracted from it is dropped; a message to be stored verbatim is refused, saying which.
        if let empty = vectors.firstIndex(where: { $0.allSatisfy { $0 == 0 } }) {
            guard input.infer else {
                throw MemoryError(
                    .invalidArgument,
                    "message \(facts[empty].provenance.first ?? "\(empty)") has no words to store (its embedding is the zero vector)")
            }
            let nonZero = vectors.indices.filter { !vectors[$0].allSatisfy { $0 == 0 } }
            kept = nonZero.map { facts[$0] }
            vectors = nonZero.map { vectors[$0] }
            guard !kept.isEmpty else { return [] }
        }
        let prepared = PreparedAdd(
            facts: kept, vectors: vectors, agentID: input.agentID, runID: input.runID, metadata: input.metadata, infer: input.infer)
        if let owner = writeOwner.withLock({ $0 }) { return try await owner.commit(prepared, scope: scope, job: job) }
        return try await commit(prepared, scope: scope)
    }

    /// Sends every later add's consolidation and commit to `owner` (a `pika worker` process, whose
    /// data directory another process owns).
    public func handWrites(to owner: any WriteOwner) {
        writeOwner.withLock { $0 = owner }
    }

    /// Consolidates and commits a prepared add under the user's write lock: the second half of
    /// ``add(_:scope:job:)``, run by the process that owns the data directory.
    public func commit(_ prepared: PreparedAdd, scope: MemoryScope) async throws -> [AddResult] {
        guard prepared.facts.count == prepared.vectors.count else {
            throw MemoryError(.invalidArgument, "\(prepared.facts.count) facts but \(prepared.vectors.count) vectors")
        }
        guard prepared.vectors.allSatisfy({ $0.count == embedder.dimension }) else {
            throw MemoryError(.invalidArgument, "vectors must have dimension \(embedder.dimension)")
        }
        let facts = prepared.facts
        let vectors = prepared.vectors
        let input = AddInput(
            messages: [], agentID: prepared.agentID, runID: prepared.runID, metadata: prepared.metadata, infer: prepared.infer)
        return try await locks.withLock(scope) {
            // Set as soon as a store commit returns. The observers are told about a committed write
            // even when a later step (the graph, on PostgreSQL) fails: nothing else would tell them.
            var wrote = false
            do {
                var results: [AddResult] = []
                if input.infer {
                    for (fact, vector) in zip(facts, vectors) {
                        results.append(try await consolidate(fact, vector: vector, input: input, scope: scope, wrote: &wrote))
                    }
                } else {
                    results = try await addVerbatim(facts, vectors: vectors, input: input, scope: scope, wrote: &wrote)
                }
                if wrote { await writeObservers.notify(scope) }
                return results
            } catch {
                if wrote { await writeObservers.notify(scope) }
                throw error
            }
        }
    }

    /// Stores `infer: false` facts. Each is an ADD whatever the user already holds, so they need no
    /// neighbours and all go to the store in one transaction: one commit (one fsync) per request
    /// instead of one per message, each record still committing with its history and change-feed
    /// rows. Verbatim facts carry no entities or relations, so the graph stores commit nothing.
    private func addVerbatim(
        _ facts: [ExtractedFact], vectors: [[Float]], input: AddInput, scope: MemoryScope, wrote: inout Bool
    ) async throws -> [AddResult] {
        let now = Date()
        let records = zip(facts, vectors).map { fact, vector in
            MemoryRecord(
                id: UUID().uuidString.lowercased(), scope: scope, agentID: input.agentID, runID: input.runID,
                text: fact.text, metadata: input.metadata, attribute: fact.attribute, provenance: fact.provenance,
                kind: fact.kind, occurredAt: fact.occurredAt.flatMap(RequestTime.representable), createdAt: now, updatedAt: now,
                embedding: vector)
        }
        let stored = try await store.apply(records.map { .add($0) })
        wrote = true
        // After the commit, which created the user's scope row if it was missing: asking before would
        // insert it in a transaction (and an fsync) of its own.
        let number = try await scopeNumber(scope)
        for record in stored { keywordIndexes.apply(.upsert(label: record.label, text: record.text), to: scope) }
        try indexAdd(labels: stored.map(\.label), tenant: number, vectors: stored.flatMap(\.embedding))
        for (fact, record) in zip(facts, stored) {
            try await graph.add(entities: fact.entities, relations: fact.relations, memoryID: record.id, scope: scope)
        }
        metrics.events[.add]?.increment(by: Int64(stored.count))
        return stored.map { AddResult(id: $0.id, memory: $0.text, event: .add) }
    }

    private func consolidate(
        _ fact: ExtractedFact, vector: [Float], input: AddInput, scope: MemoryScope, wrote: inout Bool
    ) async throws -> AddResult {
        let now = Date()
        let neighbours = try await similar(vector, scope: scope, limit: 5)
        var sameAttribute: MemoryRecord?
        if let attribute = fact.attribute {
            sameAttribute = try await store.record(scope: scope, attribute: attribute)
        }
        let decision: Consolidator.Decision
        if let decider {
            decision = try await decider.decide(fact, neighbours: neighbours, sameAttribute: sameAttribute)
        } else {
            decision = consolidator.decide(fact, neighbours: neighbours, sameAttribute: sameAttribute)
        }
        let result: AddResult
        switch decision {
        case .add:
            let metadata = input.metadata
            let record = MemoryRecord(
                id: UUID().uuidString.lowercased(), scope: scope, agentID: input.agentID, runID: input.runID,
                text: fact.text, metadata: metadata, attribute: fact.attribute, provenance: fact.provenance,
                kind: fact.kind, occurredAt: fact.occurredAt.flatMap(RequestTime.representable), createdAt: now, updatedAt: now,
                embedding: vector)
            let stored = try await store.apply([.add(record)])[0]
            wrote = true
            keywordIndexes.apply(.upsert(label: stored.label, text: stored.text), to: scope)
            try indexAdd(labels: [stored.label], tenant: try await scopeNumber(scope), vectors: vector)
            try await graph.add(entities: fact.entities, relations: fact.relations, memoryID: stored.id, scope: scope)
            result = AddResult(id: stored.id, memory: stored.text, event: .add)
        case .update(let old):
            var record = old
            record.text = fact.text
            record.embedding = vector
            record.updatedAt = now
            record.kind = fact.kind
            record.occurredAt = fact.occurredAt ?? old.occurredAt
            record.provenance = Array((old.provenance + fact.provenance).suffix(32))
            for (key, value) in input.metadata { record.metadata[key] = value }
            _ = try await store.apply([.update(record, previousText: old.text)])
            wrote = true
            keywordIndexes.apply(.upsert(label: old.label, text: record.text), to: scope)
            try indexUpdate(label: old.label, tenant: try await scopeNumber(scope), vector: vector)
            try await graph.retire(memoryID: old.id, scope: scope)
            try await graph.add(entities: fact.entities, relations: fact.relations, memoryID: old.id, scope: scope)
            result = AddResult(id: old.id, memory: fact.text, event: .update)
        case .delete(let old):
            var record = old
            record.updatedAt = now
            _ = try await store.apply([.delete(record)])
            wrote = true
            keywordIndexes.apply(.remove(label: old.label), to: scope)
            indexRemove(labels: [old.label])
            try await graph.retire(memoryID: old.id, scope: scope)
            result = AddResult(id: old.id, memory: old.text, event: .delete)
        case .none:
            let known = neighbours.first?.record ?? sameAttribute
            result = AddResult(id: known?.id ?? "", memory: fact.text, event: .none)
        }
        metrics.events[result.event]?.increment()
        return result
    }

    /// Runs the steps that follow a committed write of `scope` (engine, graph), then tells the write
    /// observers, also when a step failed: the commit stands, and the caches hear of it only here.
    func finishCommittedWrite(of scope: MemoryScope, _ steps: () async throws -> Void) async throws {
        do {
            try await steps()
        } catch {
            await writeObservers.notify(scope)
            throw error
        }
        await writeObservers.notify(scope)
    }

    /// The scope's engine tenant number, assigned when missing.
    func scopeNumber(_ scope: MemoryScope) async throws -> UInt32 {
        if let number = scopeNumbers.withLock({ $0[scope] }) { return number }
        guard let number = try await store.scopeNumber(for: scope, create: true) else {
            throw MemoryError(.storage, "no scope number for \(scope)")
        }
        scopeNumbers.withLock { $0[scope] = number }
        return number
    }

    /// The scope's engine tenant number, nil when the user has never had a memory.
    func existingScopeNumber(_ scope: MemoryScope) async throws -> UInt32? {
        if let number = scopeNumbers.withLock({ $0[scope] }) { return number }
        // Only assigned numbers are remembered: a scope created later (by this or another
        // process) is found by the next call.
        guard let number = try await store.scopeNumber(for: scope, create: false) else { return nil }
        scopeNumbers.withLock { $0[scope] = number }
        return number
    }

    /// Embeds texts (memories, or with `queries` searches: e5 embeds the two in different forms),
    /// mapping embedder failures to ``MemoryError``.
    func embed(_ texts: [String], queries: Bool = false) async throws(MemoryError) -> [[Float]] {
        do {
            return try await queries ? embedder.embedQueries(texts) : embedder.embed(texts)
        } catch {
            let code: MemoryError.Code = error.code == .circuitOpen ? .unavailable : .embeddingFailed
            throw MemoryError(code, "embedding failed: \(error.message)")
        }
    }
}

/// Collects rows during the start-up load (a manager over a store that loads an index).
final class IndexLoader: Sendable {
    private let rows = Mutex<(labels: [UInt64], tenants: [UInt32], vectors: [Float])>(([], [], []))

    func append(_ label: UInt64, _ tenant: UInt32, _ vector: [Float]) {
        rows.withLock { rows in
            rows.labels.append(label)
            rows.tenants.append(tenant)
            rows.vectors += vector
        }
    }

    func take() -> ([UInt64], [UInt32], [Float]) {
        rows.withLock { ($0.labels, $0.tenants, $0.vectors) }
    }
}
