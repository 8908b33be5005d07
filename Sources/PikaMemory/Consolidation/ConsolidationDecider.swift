/// Decides ADD / UPDATE / DELETE / NONE for a fact given the user's similar memories, in place of the
/// documented rules of ``Consolidator`` (the LLM, when one is configured).
public protocol ConsolidationDecider: Sendable {
    /// The decision for `fact`; `neighbours` are the user's most similar memories, best first.
    func decide(
        _ fact: ExtractedFact, neighbours: [(record: MemoryRecord, similarity: Float)], sameAttribute: MemoryRecord?
    ) async throws -> Consolidator.Decision
}
