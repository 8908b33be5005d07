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
