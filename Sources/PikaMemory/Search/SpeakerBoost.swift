/// The people a search query names, to rank memories about them first.
///
/// A name is a capitalised word of the query that is not a question or function word, month or
/// weekday (``EventLanguage/notNames``). Memories name their speaker (events are rewritten with it:
/// "Ana went camping…"), so a memory is about a named person when its text holds the name as a word.
public enum SpeakerBoost {
    /// The capitalised words of `query` that may be names, in order, without repeats.
    public static func names(in query: String, rewriter: EventRewriter = .shared) -> [String] {
        // A name starts with an upper-case letter: ASCII text without one names nobody.
        guard query.utf8.contains(where: { (0x41...0x5A).contains($0) || $0 >= 0x80 }) else { return [] }
        let excluded = rewriter.notNames
        var seen: Set<String> = []
        var names: [String] = []
        for word in words(query) where word.count >= 2 {
            guard let first = word.first, first.isUppercase, !excluded.contains(word) else { continue }
            // Possessive "Ana's" names Ana.
            if seen.insert(word).inserted { names.append(word) }
        }
        return names
    }

    /// ``names(in:rewriter:)`` that the memories being ranked (`texts`) treat as names: a word
    /// that opens a sentence of the query is capitalised by spelling, not because it is a name, so
    /// it stays a name only if no text writes it in lower case ("Các đội…" opens a Vietnamese
    /// question and "các" is in every other paragraph; "Lan thích gì?" keeps Lan, whom the
    /// memories never write "lan"). A capitalised word inside a sentence is a name as before.
    public static func names(in query: String, among texts: some Sequence<String>, rewriter: EventRewriter = .shared) -> [String] {
        let names = names(in: query, rewriter: rewriter)
        let openers = Set(sentenceOpeners(query)).intersection(names)
        guard !openers.isEmpty else { return names }
        let lowered = Dictionary(uniqueKeysWithValues: openers.map { ($0.lowercased(), $0) })
        var common: Set<String> = []
        for text in texts {
            for word in words(text) where word.first?.isLowercase == true {
                if let name = lowered[word] { common.insert(name) }
            }
            if common.count == openers.count { break }
        }
        return names.filter { !common.contains($0) }
    }

    /// The first word of each sentence of `query`.
    static func sentenceOpeners(_ query: String) -> [String] {
        query.split(whereSeparator: { ".!?\n".contains($0) }).compactMap { words(String($0)).first }
    }

    /// Whether `text` holds one of `names` as a whole word (case-sensitive: "Rose" is not "rose").
    public static func mentions(_ text: String, any names: [String]) -> Bool {
        guard !names.isEmpty else { return false }
        let set = Set(names)
        return words(text).contains { set.contains($0) }
    }

    /// Letter-or-digit runs; an apostrophe ends a word, so "Ana's" yields "Ana".
    static func words(_ text: String) -> [String] {
        text.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init)
    }
}
