import Foundation
import PikaEmbeddings
import PikaEngine

/// Extracts facts with any OpenAI-compatible `/v1/chat/completions` model, asking for JSON.
///
/// Each request has a deadline; timeouts, transport errors, 429 and 5xx are retried with exponential
/// backoff; a ``CircuitBreaker`` stops calling a server that keeps failing (the job is then retried
/// later by the queue). Requests go through a ``ProviderHTTPClient`` (pooled connections,
/// millisecond deadlines, cancelled with the job). The model's answer must be `{"facts": [{"kind"?, "text", "attribute"?, "retraction"?,
/// "occurred_at"?, "sources"?, "entities"?, "relations"?}]}`; anything else is a failed attempt. `kind` is
/// `fact` (the default) or `event`; the prompt asks for events rewritten to stand alone, as the rules do.
/// A fact is its first source message's speaker's: the parser names them in its text and keys its
/// slot by them (``AttributeSlot``), as ``RuleExtractor`` does.
public struct LLMExtractor: FactExtractor {
    /// `llm`.
    public let name = "llm"
    /// Settings.
    public let configuration: LLMExtractorConfiguration
    /// The breaker (exposed for tests and health).
    public let breaker: CircuitBreaker
    private let client: ProviderHTTPClient

    /// Creates an extractor whose requests go through `client` (the process-wide one unless given;
    /// its owner shuts it down, not the extractor).
    public init(configuration: LLMExtractorConfiguration, client: ProviderHTTPClient = .shared) {
        self.configuration = configuration
        self.breaker = CircuitBreaker(failureThreshold: configuration.failureThreshold, openDuration: configuration.openDuration)
        self.client = client
    }

    static let systemPrompt = """
        You extract what is worth remembering about the people speaking in the user messages of a conversation.
        Only what a speaker states about themselves or the people, pets and things in their life. Ignore the assistant's
        words, greetings, thanks, questions to the other party, compliments and filler.
        Each message line reads [index] role (name, time): text; name is who "I" is, time is when it was said.
        Answer with JSON only: {"facts": [{"kind": "fact|event", "text": "...", "attribute": "...", "retraction": false,
        "occurred_at": "YYYY-MM-DD", "sources": [0], "entities": [{"name": "...", "type": "person|pet|place|thing|school"}],
        "relations": [{"source": "user", "relation": "likes", "target": "..."}]}]}.
        kind "fact": a lasting attribute (name, age, looks, food, home, origin, work, study, hobbies, family, pets,
        possessions, health, beliefs, favourites), text a short statement without the subject ("Likes dinosaurs",
        "Has a dog named Max"); attribute: a slot it fills when it can hold only one value ("name", "age", "school",
        "favorite_color", "pref:<thing>" for a like or dislike of <thing>), else omit it. A fact is the speaker's of its
        first source message: list that message first.
        kind "event": something the speaker did, will do, made, felt, met or decided, one sentence that stands alone:
        the speaker's name instead of I/me/my ("User" when the line has no name), "we" as the speaker and others,
        relative dates resolved against the message time ("yesterday" said on 8 May 2023 → "on 7 May 2023");
        occurred_at: the day it happened when the message has a time, else omit it (never guess a date).
        retraction: true when the speaker withdraws an earlier fact ("I don't like pizza anymore" → text "Likes pizza").
        sources: indices of the messages it comes from. Nothing worth keeping → {"facts": []}.
        """

    /// See ``FactExtractor/extract(_:)``.
    public func extract(_ messages: [ConversationMessage]) async throws(MemoryError) -> [ExtractedFact] {
        let service = configuration.endpoint.absoluteString
        do {
            try await breaker.acquire(service: service)
        } catch {
            throw MemoryError(.unavailable, "LLM extractor: \(error.message)")
        }
        var attempt = 1
        while true {
            do {
                let facts = try await request(messages)
                await breaker.record(success: true)
                return facts
            } catch let failure as Failure {
                // A cancelled job (its lease was lost, the service stops) is nobody's failure: no retry, no breaker count.
                if Task.isCancelled { throw MemoryError(.unavailable, "LLM extractor: cancelled") }
                if !failure.retryable || attempt >= configuration.maxAttempts {
                    await breaker.record(success: false)
                    throw MemoryError(
                        failure.retryable ? .unavailable : .extractionFailed,
                        "LLM extractor: \(failure.message) (after \(attempt) attempts)")
                }
            } catch {
                await breaker.record(success: false)
                throw MemoryError(.extractionFailed, "LLM extractor: \(error)")
            }
            let base = configuration.initialBackoff.inSeconds
            try? await Task.sleep(for: .seconds(base * pow(2, Double(attempt - 1))))
            attempt += 1
        }
    }

    struct Failure: Error {
        let message: String
        let retryable: Bool
    }

    private func request(_ messages: [ConversationMessage]) async throws -> [ExtractedFact] {
        let conversation = messages.enumerated().map { Self.line($0.offset, $0.element) }.joined(separator: "\n")
        let content = try await complete(system: Self.systemPrompt, user: conversation)
        return try Self.parseFacts(content, messages: messages)
    }

    /// A message as the prompt shows it: `[index] role (name, time): text`, name and time when known.
    static func line(_ index: Int, _ message: ConversationMessage) -> String {
        let about = [message.speaker, message.timestamp.map(ISO8601Timestamp.string(from:))].compactMap { $0 }
        let label = about.isEmpty ? message.role : "\(message.role) (\(about.joined(separator: ", ")))"
        return "[\(index)] \(label): \(message.content)"
    }

    /// One chat completion with a system and a user message; the answer's text (code fences removed).
    func complete(system: String, user: String) async throws -> String {
        let body: JSONValue = .object([
            "model": .string(configuration.model),
            "temperature": .number(0),
            "response_format": .object(["type": .string("json_object")]),
            "messages": .array([
                .object(["role": .string("system"), "content": .string(system)]),
                .object(["role": .string("user"), "content": .string(user)]),
            ]),
        ])
        let encoded = try JSONEncoder().encode(body)
        let answer: ProviderHTTPAnswer
        do {
            answer = try await client.postJSON(
                configuration.endpoint, body: encoded, bearer: configuration.apiKey, timeout: configuration.requestTimeout)
        } catch {
            switch error {
            case .timedOut(let timeout): throw Failure(message: "timed out after \(timeout)", retryable: true)
            case .cancelled: throw Failure(message: "cancelled", retryable: false)
            case .transport(let reason): throw Failure(message: "transport: \(reason)", retryable: true)
            }
        }
        guard (200..<300).contains(answer.status) else {
            throw Failure(message: "HTTP \(answer.status)", retryable: answer.status == 429 || answer.status >= 500)
        }
        return try Self.content(answer.body)
    }

    /// The message text of a chat completion, without code fences.
    static func content(_ data: Data) throws -> String {
        guard let completion = try? JSONReader.parse(data),
            let content = completion.objectValue?["choices"]?.arrayValue?.first?.objectValue?["message"]?.objectValue?["content"]?
                .stringValue
        else { throw Failure(message: "malformed completion", retryable: true) }
        var text = content.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("```") {
            text = text.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("```") }.joined(separator: "\n")
        }
        return text
    }

    /// Parses the model's `{"facts": [...]}` answer (internal for tests).
    static func parseFacts(_ text: String, messages: [ConversationMessage]) throws -> [ExtractedFact] {
        guard let answer = try? JSONReader.parse(text),
            let facts = answer.objectValue?["facts"]?.arrayValue
        else { throw Failure(message: "the model did not answer with {\"facts\": [...]}", retryable: true) }
        let soleSpeaker = Self.soleSpeaker(messages)
        return facts.prefix(100).compactMap { item -> ExtractedFact? in
            guard let object = item.objectValue, var text = object["text"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines),
                !text.isEmpty, text.count <= 500
            else { return nil }
            let sources = object["sources"]?.arrayValue?.compactMap { $0.numberValue.map(Int.init) } ?? []
            // Whose fact it is: the speaker of its first source message, else the add's one speaker.
            let speaker = sources.first(where: { messages.indices.contains($0) }).map { messages[$0].speaker } ?? soleSpeaker
            let provenance = sources.filter { messages.indices.contains($0) }.map { messages[$0].provenance(index: $0) }
            let entities =
                object["entities"]?.arrayValue?.compactMap { e -> GraphEntity? in
                    guard let name = e.objectValue?["name"]?.stringValue, !name.isEmpty else { return nil }
                    return GraphEntity(name: name, type: e.objectValue?["type"]?.stringValue ?? "thing")
                } ?? []
            let relations =
                object["relations"]?.arrayValue?.compactMap { r -> GraphRelation? in
                    guard let o = r.objectValue, let s = o["source"]?.stringValue, let rel = o["relation"]?.stringValue,
                        let t = o["target"]?.stringValue
                    else { return nil }
                    return GraphRelation(source: s, relation: rel, target: t)
                } ?? []
            var isRetraction = false
            if case .bool(let flag)? = object["retraction"] { isRetraction = flag }
            let kind = object["kind"]?.stringValue.flatMap { MemoryKind(rawValue: $0.lowercased()) } ?? .fact
            // A time only when the conversation gave one: the model's date is kept, else the day its
            // source message was said; with no message time it stays empty, whatever the model wrote.
            let said = sources.lazy.filter { messages.indices.contains($0) }.compactMap { messages[$0].timestamp }.first
            var occurredAt: Date?
            if kind == .event, messages.contains(where: { $0.timestamp != nil }) {
                occurredAt = object["occurred_at"].flatMap(RequestTime.parse) ?? said.map(DateShift.calendar.startOfDay)
            }
            var attribute: String?
            if kind == .fact {
                // The slot is the speaker's (``AttributeSlot``), named as the rules name theirs; the
                // model's own "@" is dropped so that it cannot claim another subject's slot.
                attribute = object["attribute"]?.stringValue?.lowercased().drop(while: { $0 == "@" }).trimmingCharacters(in: .whitespaces)
                attribute = AttributeSlot.keyed(attribute.flatMap { $0.isEmpty ? nil : $0 }, speaker: speaker)
                text = RuleExtractor.naming(text, speaker: speaker)
            }
            return ExtractedFact(
                text: text, attribute: attribute, isRetraction: isRetraction, entities: entities, relations: relations,
                provenance: provenance, kind: kind, occurredAt: occurredAt)
        }
    }

    /// The speaker of every user message of the add, when they all have the same one (nil otherwise).
    static func soleSpeaker(_ messages: [ConversationMessage]) -> String? {
        let speakers = Set(messages.filter { $0.role.lowercased() == "user" }.map(\.speaker))
        return speakers.count == 1 ? speakers.first ?? nil : nil
    }
}
