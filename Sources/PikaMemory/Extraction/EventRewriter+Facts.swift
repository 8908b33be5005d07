import Foundation

extension EventRewriter {
    /// Whether `sentence` is a question in `rules`' language (a question states no fact).
    func isQuestion(_ sentence: String, _ rules: Compiled) -> Bool {
        sentence.trimmingCharacters(in: .whitespaces).hasSuffix("?") || Self.matches(rules.questionStart, sentence)
    }

    /// The attribute fact `clause` states in a language with its own fact patterns
    /// (``EventLanguage/factPatterns``), said by `speaker`: the first pattern that matches and
    /// applies gives the slot, and the text is the clause with the speaker's name for the first
    /// person (its dates left as said) unless the pattern gives one. Nil when no pattern applies.
    func fact(in clause: String, speaker: String, _ rules: Compiled) -> ExtractedFact? {
        var clause = clause.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
        if let filler = rules.leadingFiller.firstMatch(in: clause, range: NSRange(clause.startIndex..., in: clause)),
            filler.range.length > 0, let range = Range(filler.range, in: clause)
        {
            clause = String(clause[range.upperBound...])
        }
        if let trailing = rules.trailingFiller {
            clause = Self.replace(trailing, in: clause) { _ in "" }
        }
        clause = clause.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
        guard !clause.isEmpty else { return nil }
        let range = NSRange(clause.startIndex..., in: clause)
        for (regex, pattern) in rules.facts {
            guard let match = regex.firstMatch(in: clause, range: range) else { continue }
            let captures = (0..<match.numberOfRanges).map { group in
                Range(match.range(at: group), in: clause).map { String(clause[$0]) } ?? ""
            }
            guard let meaning = pattern.meaning(captures) else { continue }
            let text = meaning.text ?? rewrite(clause, speaker: speaker, time: nil, rules).0
            return ExtractedFact(
                text: text, attribute: meaning.attribute, entities: meaning.entities,
                relations: meaning.relations)
        }
        return nil
    }
}
