import PikaMemory

/// A reference "extractor" that returns every user message as a fact, verbatim (what the service
/// stores with `infer: false`). It is not a real extractor: scoring it shows how the matching rule
/// treats a fact stated in a turn's own words (`pika eval extraction --extractor verbatim`).
public struct VerbatimExtractor: FactExtractor {
    /// `verbatim`.
    public let name = "verbatim"

    /// Creates the extractor.
    public init() {}

    /// Every non-empty user message as one fact, with the message's provenance.
    public func extract(_ messages: [ConversationMessage]) async throws(MemoryError) -> [ExtractedFact] {
        messages.enumerated().compactMap { index, message in
            guard message.role == "user", !message.content.allSatisfy(\.isWhitespace) else { return nil }
            // The speaker's name as a prefix, as the turns granularity writes a turn ("Speaker: text").
            let text = message.speaker.map { "\($0): \(message.content)" } ?? message.content
            return ExtractedFact(text: text, provenance: [message.provenance(index: index)])
        }
    }
}
