import Foundation

/// A question the L2 summary can answer: the user's favourites, likes, dislikes or all preferences,
/// recognised in English and Vietnamese ("What is my favourite colour?", "What do I like?",
/// "Màu yêu thích của em là gì?", "Em thích gì?").
///
/// Deliberately narrow: only open "what/which" questions about favourites and likes are taken; a
/// yes/no question ("Do I like pizza?") or a statement goes to the engine.
public enum PreferenceQuestion: Sendable, Equatable {
    /// The favourite of `topic` (`color`, `food`…), or every favourite when nil.
    case favorite(topic: String?)
    /// What the user likes, loves or enjoys (favourites included).
    case likes
    /// What the user dislikes or hates.
    case dislikes
    /// Everything: favourites, likes and dislikes.
    case preferences

    /// The question `text` asks, or nil when it is not one the summary answers.
    public static func classify(_ text: String) -> PreferenceQuestion? {
        let t = " " + normalize(text) + " "
        if let vietnamese = classifyVietnamese(t) { return vietnamese }
        // The yes/no test first: it is cheaper than looking for the question words, and either refuses.
        guard !t.hasPrefix(" do ") && !t.hasPrefix(" does ") && !t.hasPrefix(" is ") && !t.hasPrefix(" are ") else { return nil }
        let asks =
            t.hasSuffix("? ") || [" what ", " what's ", " whats ", " which ", " tell me ", " list ", " name "].contains { has(t, $0) }
        guard asks else { return nil }
        if has(t, " preferences ") || has(t, " likes and dislikes ") { return .preferences }
        if let range = t.range(of: " favorite ") {
            let words = t[range.upperBound...].split(separator: " ").prefix { !stopWords.contains(String($0)) }.prefix(3)
            return .favorite(topic: words.isEmpty ? nil : words.joined(separator: " "))
        }
        if has(t, " favorites ") || has(t, " favorite things ") { return .favorite(topic: nil) }
        let subject = #"(?:i|he|she|they|the user|[a-z]+)"#
        if t.range(of: #" what (?:do|does) \#(subject) (?:not like|dislike|hate) "#, options: .regularExpression) != nil
            || t.range(of: #" what (?:don't|doesn't) \#(subject) like "#, options: .regularExpression) != nil
        {
            return .dislikes
        }
        if t.range(of: #" what (?:do|does) \#(subject) (?:like|love|enjoy)s? "#, options: .regularExpression) != nil
            || has(t, " my hobbies ") || has(t, " what am i into ")
        {
            return .likes
        }
        return nil
    }

    private static func classifyVietnamese(_ t: String) -> PreferenceQuestion? {
        // Every Vietnamese rule needs a word with a diacritic (thích, yêu, ghét, mê, sở): ASCII
        // text cannot match, so it skips the regular expressions below.
        guard t.utf8.contains(where: { $0 >= 0x80 }) else { return nil }
        let person = "(?:em|con|tôi|mình|tớ|cháu|bé|bạn)"
        if has(t, " yêu thích ") || has(t, " ưa thích ") || has(t, " thích nhất ") {
            for (words, topic) in vietnameseTopics where has(t, " \(words) ") { return .favorite(topic: topic) }
            return .favorite(topic: nil)
        }
        if t.range(of: #" \#(person) (?:ghét|không thích) (?:gì|những gì|cái gì|điều gì) "#, options: .regularExpression) != nil {
            return .dislikes
        }
        if t.range(of: #" \#(person) (?:thích|mê|yêu) (?:gì|những gì|cái gì|điều gì|làm gì) "#, options: .regularExpression) != nil
            || has(t, " sở thích ")
        {
            return .likes
        }
        return nil
    }

    /// Whether `t` contains `needle`. For ASCII text a byte search gives what Foundation's
    /// `contains` gives (no combining marks for its canonical equivalence to match), at a fraction
    /// of its cost: this runs a dozen times per search (the service load benchmark's profile).
    /// The bytes are compared in place: the generic `firstRange(of:)` of the standard library
    /// instantiated generic metadata on every call (~8 % of a new-question search's CPU).
    private static func has(_ t: String, _ needle: String) -> Bool {
        guard t.utf8.allSatisfy({ $0 < 0x80 }) else { return t.contains(needle) }
        var haystack = t
        var needle = needle
        return haystack.withUTF8 { h in
            needle.withUTF8 { n in
                guard n.count <= h.count else { return false }
                guard let first = n.first else { return true }
                // Queries are short (the route caps them at 2,000 characters): a plain scan.
                for start in 0...(h.count - n.count) where h[start] == first {
                    var i = 1
                    while i < n.count && h[start + i] == n[i] { i += 1 }
                    if i == n.count { return true }
                }
                return false
            }
        }
    }

    /// Vietnamese topic words → the rule extractor's English slot names (longest first).
    static let vietnameseTopics: [(String, String)] = [
        ("môn thể thao", "sport"), ("thể thao", "sport"), ("môn học", "subject"), ("món ăn", "food"), ("đồ ăn", "food"),
        ("thức ăn", "food"), ("con vật", "animal"), ("động vật", "animal"), ("bài hát", "song"), ("bộ phim", "movie"),
        ("phim", "movie"), ("trò chơi", "game"), ("cuốn sách", "book"), ("sách", "book"), ("đồ uống", "drink"),
        ("trái cây", "fruit"), ("hoa quả", "fruit"), ("đồ chơi", "toy"), ("màu", "color"), ("hoa", "flower"),
        ("mùa", "season"),
    ]

    private static let stopWords: Set<String> = [
        "is", "are", "was", "were", "of", "that", "again", "now", "do", "does", "did", "and", "or", "in", "at", "to", "for",
        "these", "this", "right", "then", "?",
    ]

    /// Lowercased, `’` → `'`, British and short spellings folded, punctuation (but `'`) spaced out.
    static func normalize(_ text: String) -> String {
        normalizeASCII(text) ?? normalizeUnicode(text)
    }

    /// ``normalize(_:)`` by `Character`s, for any text.
    static func normalizeUnicode(_ text: String) -> String {
        var t = text.lowercased().replacingOccurrences(of: "\u{2019}", with: "'")
        for (from, to) in [("favourite", "favorite"), ("colour", "color"), ("fav ", "favorite "), ("favs", "favorites")] {
            t = t.replacingOccurrences(of: from, with: to)
        }
        t = String(t.map { $0.isPunctuation && $0 != "'" && $0 != "?" ? " " : $0 }).replacingOccurrences(of: "?", with: " ? ")
        return t.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
