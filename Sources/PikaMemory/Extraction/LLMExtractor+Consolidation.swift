import Foundation

extension LLMExtractor: ConsolidationDecider {
    static let decisionPrompt = """
        You maintain a child's long-term memory. Given a NEW fact and the EXISTING memories (numbered), answer JSON only:
        {"event": "ADD" | "UPDATE" | "DELETE" | "NONE", "index": <number of the existing memory for UPDATE/DELETE/NONE>}.
        ADD: new information. UPDATE: the new fact replaces or refines existing memory <index> (same slot, newer value).
        DELETE: the new fact retracts existing memory <index>. NONE: already known.
        """

    /// Asks the model; when it fails or answers nonsense, the documented rules decide (logged by the caller's job).
    public func decide(
        _ fact: ExtractedFact, neighbours: [(record: MemoryRecord, similarity: Float)], sameAttribute: MemoryRecord?
    ) async throws -> Consolidator.Decision {
        // Another speaker's slot is never this fact's to update or delete (``AttributeSlot``).
        let neighbours = neighbours.filter { !AttributeSlot.differentSubjects(fact.attribute, $0.record.attribute) }
        var candidates = neighbours.map(\.record)
        if let sameAttribute, !candidates.contains(sameAttribute) { candidates.insert(sameAttribute, at: 0) }
        let rules = Consolidator().decide(fact, neighbours: neighbours, sameAttribute: sameAttribute)
        guard !candidates.isEmpty else { return fact.isRetraction ? .none : .add }
        let listing = candidates.enumerated().map { "[\($0.offset)] \($0.element.text)" }.joined(separator: "\n")
        let user = "NEW: \(fact.text)\(fact.isRetraction ? " (the user withdrew this)" : "")\nEXISTING:\n\(listing)"
        guard let content = try? await complete(system: Self.decisionPrompt, user: user),
            let answer = try? JSONReader.parse(content).objectValue,
            let event = answer["event"]?.stringValue?.uppercased()
        else { return rules }
        let index = answer["index"]?.numberValue.map(Int.init)
        let target = index.flatMap { candidates.indices.contains($0) ? candidates[$0] : nil }
        switch (event, target) {
        case ("ADD", _): return .add
        case ("NONE", _): return .none
        case ("UPDATE", let record?): return .update(record)
        case ("DELETE", let record?): return .delete(record)
        default: return rules
        }
    }
}
