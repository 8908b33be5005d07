/// Decides what a new fact does to a user's memories when no LLM is configured.
///
/// The rules, in order:
/// 1. A retraction deletes the memory filling the same attribute, else the most similar memory
///    (similarity ≥ `retractionSimilarity`); with neither it changes nothing.
/// 2. A memory with the same text (case-insensitive), or similarity ≥ `duplicateSimilarity`: NONE.
/// 3. A memory filling the same single-valued attribute (`name`, `age`, `pref:pizza`…): UPDATE it.
/// 4. Otherwise ADD.
///
/// A slot belongs to its subject (``AttributeSlot``): the store looks up the memory filling the
/// fact's own slot, so one speaker's fact never updates another's, and a memory whose attribute names
/// another subject is neither the fact's duplicate nor the target of its retraction's fallback.
public struct Consolidator: Sendable {
    /// What to do with a fact.
    public enum Decision: Sendable, Equatable {
        /// Store it as a new memory.
        case add
        /// Replace this memory's text.
        case update(MemoryRecord)
        /// Remove this memory.
        case delete(MemoryRecord)
        /// Nothing to do (the fact is known, or a retraction of nothing).
        case none
    }

    /// Similarity from which a fact is a near-duplicate.
    public var duplicateSimilarity: Float = 0.97
    /// Similarity from which a retraction without an attribute match applies to a memory.
    public var retractionSimilarity: Float = 0.6

    /// Creates a consolidator with the default thresholds.
    public init() {}

    /// Decides for `fact` given the user's most similar memories (with similarity, best first) and the
    /// memory filling the fact's attribute, if any.
    public func decide(
        _ fact: ExtractedFact, neighbours: [(record: MemoryRecord, similarity: Float)], sameAttribute: MemoryRecord?
    ) -> Decision {
        let text = fact.text.lowercased()
        let neighbours = neighbours.filter { !AttributeSlot.differentSubjects(fact.attribute, $0.record.attribute) }
        if fact.isRetraction {
            if let sameAttribute { return .delete(sameAttribute) }
            if let best = neighbours.first, best.similarity >= retractionSimilarity { return .delete(best.record) }
            return .none
        }
        if let sameAttribute, sameAttribute.text.lowercased() == text { return .none }
        if neighbours.contains(where: { $0.record.text.lowercased() == text || $0.similarity >= duplicateSimilarity }) {
            return .none
        }
        if let sameAttribute { return .update(sameAttribute) }
        return .add
    }
}
