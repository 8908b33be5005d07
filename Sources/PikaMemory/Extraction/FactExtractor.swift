/// Turns a conversation into facts about the user.
public protocol FactExtractor: Sendable {
    /// A stable name for logs and metrics (`rules`, `llm`).
    var name: String { get }
    /// Extracts facts from `messages`.
    func extract(_ messages: [ConversationMessage]) async throws(MemoryError) -> [ExtractedFact]
}
