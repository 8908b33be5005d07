import PikaEmbeddings
import PikaEngine
import PikaMemory

/// Scores a fact extractor against LoCoMo's observations (`pika eval extraction`).
///
/// The extractor runs once per session, on the messages the memory pipeline would get
/// (``LoCoMoDataset/messages(session:dateTime:turns:)``). Its facts are matched one-to-one to the
/// session's observations (``FactMatching/greedy(_:threshold:)``) by cosine similarity of their
/// embeddings: a pair counts when the cosine is at least the threshold and, when the fact's
/// provenance names turns of one speaker only, the observation is about that speaker. Precision
/// = matched / facts, recall = matched / observations, F1 their harmonic mean, summed over
/// sessions (micro-averaged) overall and per conversation, at every threshold asked for.
public struct ExtractionEvaluator: Sendable {
    /// The extractor under test.
    public var extractor: any FactExtractor
    /// The embedder of facts and observations.
    public var embedder: any Embedder
    /// Where embeddings are cached, if anywhere.
    public var cache: EmbeddingCache?
    /// The thresholds scored; the first is the headline.
    public var thresholds: [Float]
    /// Progress callback.
    public var progress: EvaluationRunner.Progress

    /// Creates an evaluator.
    public init(
        extractor: any FactExtractor, embedder: any Embedder, cache: EmbeddingCache? = nil, thresholds: [Float],
        progress: @escaping EvaluationRunner.Progress = { _, _, _ in }
    ) {
        self.extractor = extractor
        self.embedder = embedder
        self.cache = cache
        self.thresholds = thresholds.isEmpty ? [0.6] : thresholds
        self.progress = progress
    }

    /// One session's facts and observations.
    struct Session {
        var conversation: Int
        /// Fact texts and the speakers their provenance names.
        var facts: [(text: String, speakers: Set<String>)]
        var observations: [LoCoMoDataset.Observation]
    }

    /// Runs the extractor over every session and scores it.
    public func run(_ dataset: LoCoMoDataset, name: String) async throws(EvaluationError) -> ExtractionReport {
        guard dataset.conversations.contains(where: { !$0.observations.isEmpty }) else {
            throw EvaluationError(.emptyDataset, "no conversation has observations to score facts against", file: name)
        }
        let clock = ContinuousClock()
        let started = clock.now
        let sessions = try await extractAll(dataset)
        let extractSeconds = (clock.now - started).inSeconds
        let sentences = (extractor as? RuleExtractor).map { Self.salience(of: dataset, rules: $0) }

        let texts = sessions.flatMap { $0.facts.map(\.text) + $0.observations.map(\.text) }
        let vectors = try await embed(texts)
        var offset = 0
        var overall = [MatchCounts](repeating: MatchCounts(), count: thresholds.count)
        var perConversation = [[MatchCounts]](
            repeating: [MatchCounts](repeating: MatchCounts(), count: thresholds.count), count: dataset.conversations.count)
        var nearestOther: [Double] = []
        for session in sessions {
            let factVectors = Array(vectors[offset..<offset + session.facts.count])
            offset += session.facts.count
            let observationVectors = Array(vectors[offset..<offset + session.observations.count])
            offset += session.observations.count
            let similarities = factVectors.enumerated().map { f, vector in
                observationVectors.enumerated().map { o, other -> Float? in
                    let speakers = session.facts[f].speakers
                    guard speakers.count != 1 || speakers.contains(session.observations[o].speaker) else { return nil }
                    return cosine(vector, other)
                }
            }
            for (t, threshold) in thresholds.enumerated() {
                let matched = FactMatching.greedy(similarities, threshold: threshold).count
                let counts = MatchCounts(facts: session.facts.count, references: session.observations.count, matched: matched)
                overall[t] = overall[t] + counts
                perConversation[session.conversation][t] = perConversation[session.conversation][t] + counts
            }
            for (o, vector) in observationVectors.enumerated() {
                let others = observationVectors.indices.filter { $0 != o }.map { Double(cosine(vector, observationVectors[$0])) }
                if let best = others.max() { nearestOther.append(best) }
            }
        }
        return ExtractionReport(
            dataset: name, extractor: extractor.name, embedder: embedder.identity.description, thresholds: thresholds,
            overall: overall,
            conversations: zip(dataset.conversations, perConversation).map { ($0.sampleID, $1) },
            sessions: sessions.count, extractSeconds: extractSeconds,
            nearestOtherObservation: [0.5, 0.9, 0.95].map { percentile(nearestOther, $0) }, sentences: sentences)
    }

    /// The sentences of every session's messages (``EventRewriter/sentences(_:)``, as the rules cut
    /// them) and how many keep a fact or an event when the rules read each alone, with its message's
    /// speaker and time: what the salience rules let through (a retraction keeps nothing).
    static func salience(of dataset: LoCoMoDataset, rules: RuleExtractor) -> (total: Int, kept: Int) {
        var total = 0
        var kept = 0
        for conversation in dataset.conversations {
            for session in conversation.sessions {
                for message in LoCoMoDataset.messages(session: session.number, dateTime: session.dateTime, turns: session.turns) {
                    for sentence in EventRewriter.sentences(message.content) {
                        total += 1
                        var alone = message
                        alone.content = sentence
                        if rules.extractSync([alone]).contains(where: { !$0.isRetraction }) { kept += 1 }
                    }
                }
            }
        }
        return (total, kept)
    }

    private func extractAll(_ dataset: LoCoMoDataset) async throws(EvaluationError) -> [Session] {
        var sessions: [Session] = []
        let total = dataset.conversations.reduce(0) { $0 + $1.sessions.count }
        for (number, conversation) in dataset.conversations.enumerated() {
            let speakerOf = Dictionary(conversation.turns.map { ($0.diaID, $0.speaker) }, uniquingKeysWith: { a, _ in a })
            for session in conversation.sessions {
                let messages = LoCoMoDataset.messages(session: session.number, dateTime: session.dateTime, turns: session.turns)
                let facts: [ExtractedFact]
                do {
                    facts = try await extractor.extract(messages)
                } catch {
                    throw EvaluationError(.extraction, "\(conversation.sampleID) session \(session.number): \(error.message)")
                }
                sessions.append(
                    Session(
                        conversation: number,
                        facts: facts.filter { !$0.isRetraction }.map { ($0.text, Set($0.provenance.compactMap { speakerOf[$0] })) },
                        observations: conversation.observations.filter { $0.session == session.number }))
                progress("extract", sessions.count, total)
            }
        }
        return sessions
    }

    private func embed(_ texts: [String]) async throws(EvaluationError) -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        if let cache {
            return try await cache.embeddings(of: texts, using: embedder) { progress("embed", $0, $1) }
        }
        do { return try await embedder.embed(texts) } catch { throw EvaluationError(.embedding, "\(error)") }
    }
}

/// Cosine similarity; 0 when either vector is zero.
func cosine(_ a: [Float], _ b: [Float]) -> Float {
    var dot: Float = 0
    var na: Float = 0
    var nb: Float = 0
    for i in 0..<min(a.count, b.count) {
        dot += a[i] * b[i]
        na += a[i] * a[i]
        nb += b[i] * b[i]
    }
    return na > 0 && nb > 0 ? dot / (na.squareRoot() * nb.squareRoot()) : 0
}
