/// Which memories came from which dialogue turns, for judging searches over extracted memories.
///
/// A memory is relevant to a question when its provenance (the `dia_id`s of the messages its
/// fact was extracted from, merged over updates) includes one of the question's evidence ids.
public struct ProvenanceIndex: Sendable {
    /// The judgement id given to a question whose evidence no memory carries: it is never
    /// retrieved, so the question scores 0 instead of being dropped (the extraction lost its answer).
    public static let lostEvidence = "(no memory carries the evidence)"

    private var memoriesByTurn: [String: [String]] = [:]

    /// Indexes `memories` (memory id, provenance tags).
    public init(_ memories: [(id: String, provenance: [String])]) {
        for memory in memories {
            for tag in Set(memory.provenance) { memoriesByTurn[tag, default: []].append(memory.id) }
        }
    }

    /// Binary judgements for a question: every memory whose provenance includes one of `evidence`
    /// gains 1. No evidence gives no judgements (the question is excluded, as in turns
    /// granularity); evidence that no memory carries gives ``lostEvidence`` alone.
    public func judgements(evidence: [String]) -> Judgements {
        guard !evidence.isEmpty else { return [:] }
        var result: Judgements = [:]
        for id in evidence {
            for memory in memoriesByTurn[id] ?? [] { result[memory] = 1 }
        }
        return result.isEmpty ? [Self.lostEvidence: 1] : result
    }
}
