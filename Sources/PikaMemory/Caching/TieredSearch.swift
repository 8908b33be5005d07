import Foundation

/// The search pipeline's cache tiers around ``MemoryManager/search(_:)``:
/// L0 (in-process answers, seconds) → L1 (result cache, an hour) → L2 (favourite/preference
/// questions answered from the user's summary) → the engine, whose query embedding goes through L3
/// (``QueryEmbeddingCache``, inside the manager).
///
/// Freshness: every key carries the user's version tag, read before anything else and bumped by a
/// write observer after every committed write (``VersionTags``); an L2 summary is used only when
/// it was built at the current tag. So once a write has returned, no tier can answer from before it
/// (`pika worker` processes hand their writes to this process, so every write passes an observer here).
/// When the backend fails, the tiers that need it are skipped (counted as errors) and the engine answers.
public final class TieredSearch: Sendable {
    /// Tunables.
    public struct Settings: Sendable, Equatable {
        /// L0 entries.
        public var l0Entries = 2_000
        /// L0 time to live: short, a burst of repeats (the seed's "session" tier).
        public var l0TTL: Duration = .seconds(10)
        /// L0 bytes (estimated).
        public var l0MaxBytes = 32 << 20
        /// L1 time to live (the seed's 1 hour).
        public var l1TTL: Duration = .seconds(3600)
        /// Creates the defaults.
        public init() {}
    }

    /// Where an answer came from.
    public struct Answer: Sendable {
        /// The answer.
        public var answer: SearchAnswer
        /// The tier that answered; nil for the engine.
        public var source: CacheLayer?
    }

    private struct L0Entry: Sendable {
        let version: String
        let canonical: String
        let answer: SearchAnswer
    }

    /// The domain.
    public let manager: MemoryManager
    /// L1 storage and version tags.
    public let backend: any CacheBackend
    /// Version tags (bumped after writes).
    public let versions: VersionTags
    /// L2 summaries, when the service keeps them.
    public let summaries: (any SummaryStore)?
    /// Rebuilds asked for when a write or a lookup finds a summary outdated.
    public let summaryRequests: SummaryRequests
    /// Counters.
    public let metrics: CacheMetrics
    private let settings: Settings
    private let l0: LRUCache<L0Entry>

    /// Creates the tiers over `backend` and registers the version bump (and the L2 rebuild request)
    /// as write observers of `manager`.
    public init(
        manager: MemoryManager, backend: any CacheBackend, summaries: (any SummaryStore)?,
        metrics: CacheMetrics, settings: Settings = Settings()
    ) {
        self.manager = manager
        self.backend = backend
        self.summaries = summaries
        self.metrics = metrics
        self.settings = settings
        let versions = VersionTags(backend: backend)
        let requests = SummaryRequests()
        self.versions = versions
        self.summaryRequests = requests
        l0 = LRUCache(capacity: settings.l0Entries, maxCost: settings.l0MaxBytes, ttl: settings.l0TTL)
        let keepsSummaries = summaries != nil
        manager.writeObservers.add { scope in
            await versions.bump(scope)
            if keepsSummaries { requests.request(scope) }
        }
    }

    /// Stores L2 answers of the usual favourite questions in L1 for a user whose summary was just
    /// rebuilt at `summary.version` (the proactive worker's warming). Returns the answers stored.
    @discardableResult
    public func warm(_ scope: MemoryScope, summary: FavoriteSummary) async -> Int {
        var questions = ["What are my favorites?", "What do I like?", "Em thích gì?"]
        questions += summary.favoriteTopics.map { "What is my favorite \($0)?" }
        var stored = 0
        for text in questions {
            let query = SearchQuery(text: text, scope: scope)
            guard let question = PreferenceQuestion.classify(text), let results = summary.answer(question, limit: query.limit) else {
                continue
            }
            let key = SearchCacheKey(query)
            let answer = SearchAnswer(results: results, relations: [])
            if (try? await storeL1(answer, key: key, scope: scope, version: summary.version)) != nil { stored += 1 }
        }
        return stored
    }

    /// Answers `query` from the first tier that has it, else from the engine (then cached).
    public func search(_ query: SearchQuery) async throws -> Answer {
        let text = query.text.trimmingWhitespace
        // Invalid queries get the manager's error.
        guard !text.isEmpty, (1...100).contains(query.limit) else { return Answer(answer: try await manager.search(query), source: nil) }
        let scope = query.scope
        let key = SearchCacheKey(query)
        let l0Key = CacheKeys.searchPrefix(scope) + key.hash
        let candidate = l0.get(l0Key)

        var version: String?
        var l1Bytes: [UInt8]?
        var summaryPending = false
        do {
            try await versions.flushPending()
            (version, l1Bytes) = try await backend.versionAndResult(of: scope, queryHash: key.hash, knownVersion: candidate?.version)
        } catch {
            metrics.record(.l0, .error)
            metrics.record(.l1, .error)
            if l2Question(query, text: text) != nil { metrics.record(.l2, .error) }
        }
        if let version {
            if let candidate, candidate.version == version, candidate.canonical == key.canonical {
                return answered(candidate.answer, by: .l0)
            }
            metrics.record(.l0, .miss)
            if let l1Bytes, let answer = CachedAnswer.decode(l1Bytes, query: key.canonical) {
                rememberL0(l0Key, version: version, canonical: key.canonical, answer: answer)
                return answered(answer, by: .l1)
            }
            metrics.record(.l1, .miss)
            // Classified only now: most searches are answered by L0 or L1 and never need it.
            if let question = l2Question(query, text: text) {
                switch await l2Answer(question, query: query, version: version) {
                case .answer(let answer):
                    try? await storeL1(answer, key: key, scope: scope, version: version)
                    rememberL0(l0Key, version: version, canonical: key.canonical, answer: answer)
                    return answered(answer, by: .l2)
                case .rebuilding: summaryPending = true
                case .notInSummary, .failed: break
                }
            }
        }
        let answer = try await manager.search(query)
        metrics.answered(by: nil)
        // While the user's summary is being rebuilt, the engine's answer to a favourite question is
        // not cached: the summary answers it next time. (An empty answer is: the user has nothing.)
        if let version, !(summaryPending && !answer.results.isEmpty) {
            try? await storeL1(answer, key: key, scope: scope, version: version)
            rememberL0(l0Key, version: version, canonical: key.canonical, answer: answer)
        }
        return Answer(answer: answer, source: nil)
    }

    /// Sets `cache_size_bytes` of the in-process tiers (L0 always; L1 and L3 without Redis).
    public func recordSizes() {
        metrics.recordSize(.l0, bytes: l0.totalCost)
        if let size = backend.sizeBytes { metrics.recordSize(.l1, bytes: size) }
        if let size = manager.queryEmbeddings.backend.sizeBytes { metrics.recordSize(.l3, bytes: size) }
    }

    private func rememberL0(_ key: String, version: String, canonical: String, answer: SearchAnswer) {
        // Cost: an estimate of the bytes held (texts and a fixed overhead per memory).
        let cost = canonical.utf8.count + answer.results.reduce(0) { $0 + $1.record.text.utf8.count + 256 }
        l0.set(key, L0Entry(version: version, canonical: canonical, answer: answer), cost: cost)
    }

    private func answered(_ answer: SearchAnswer, by layer: CacheLayer) -> Answer {
        metrics.record(layer, .hit)
        metrics.answered(by: layer)
        return Answer(answer: answer, source: layer)
    }

    /// The preference question of `query` if L2 may answer it: the summary covers all of the user's
    /// memories with cosine-free scores, so filtered, agent/run-restricted and keyword-mode queries go on.
    private func l2Question(_ query: SearchQuery, text: String) -> PreferenceQuestion? {
        guard summaries != nil, query.filter == nil, query.agentID == nil, query.runID == nil, query.mode != .keyword else {
            return nil
        }
        return PreferenceQuestion.classify(text)
    }

    private enum L2Outcome {
        case answer(SearchAnswer)
        /// The summary is missing or outdated; a rebuild was asked for.
        case rebuilding
        /// The summary is current but holds nothing for the question.
        case notInSummary
        case failed
    }

    private func l2Answer(_ question: PreferenceQuestion, query: SearchQuery, version: String) async -> L2Outcome {
        guard let summaries else { return .failed }
        let stored: UserSummary?
        do {
            stored = try await summaries.summary(for: query.scope)
        } catch {
            metrics.record(.l2, .error)
            return .failed
        }
        guard let stored, let summary = FavoriteSummary(json: stored.summary), summary.version == version else {
            metrics.record(.l2, .miss)
            summaryRequests.request(query.scope)
            return .rebuilding
        }
        guard let results = summary.answer(question, limit: query.limit) else {
            metrics.record(.l2, .miss)
            return .notInSummary
        }
        return .answer(SearchAnswer(results: results, relations: []))
    }

    func storeL1(_ answer: SearchAnswer, key: SearchCacheKey, scope: MemoryScope, version: String) async throws {
        let bytes = try CachedAnswer(query: key.canonical, answer: answer).encoded()
        try await backend.store(CacheKeys.search(scope, version: version, queryHash: key.hash), bytes, ttl: settings.l1TTL)
        if let size = backend.sizeBytes { metrics.recordSize(.l1, bytes: size) }
    }
}
