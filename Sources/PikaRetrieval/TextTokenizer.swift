import Foundation

/// Splits text into the terms the keyword index counts, for Vietnamese and English alike.
///
/// The rules, in order:
/// 1. Unicode canonical composition (NFC), so a precomposed "ộ" and "o" + combining marks are one term.
/// 2. Lower-casing, then splitting on every character that is neither a letter nor a digit
///    (Vietnamese writes one syllable per space-separated word, so a syllable is a term).
/// 3. English stop words (Lucene's English list) are dropped; ASCII words are reduced with the
///    Porter stemmer, as Elasticsearch's `english` analyzer does (the setting BEIR's BM25 used).
/// 4. A term carrying Vietnamese diacritics is emitted twice: as written ("nội") and folded to
///    plain letters ("noi", with đ → d), so a query typed without accents still matches, and a
///    query with accents matches the exact form more strongly. The folded form is analysed as the
///    ASCII word it has become (rule 3: "ngày" → "ngay" → "ngai", "bé" → "be" dropped), so it meets
///    the same word typed without accents.
public struct TextTokenizer: Sendable, Hashable {
    /// Whether English stop words are dropped.
    public var removesStopWords: Bool
    /// Whether ASCII words are reduced with the Porter stemmer.
    public var stemsEnglish: Bool
    /// Whether words with diacritics also yield their folded, accent-free form.
    public var foldsDiacritics: Bool

    /// Creates a tokeniser; every rule is on by default.
    public init(removesStopWords: Bool = true, stemsEnglish: Bool = true, foldsDiacritics: Bool = true) {
        self.removesStopWords = removesStopWords
        self.stemsEnglish = stemsEnglish
        self.foldsDiacritics = foldsDiacritics
    }

    /// The terms of `text`, in order of appearance (a folded form follows its original).
    /// - Complexity: O(n) in the length of `text`.
    public func tokens(_ text: String) -> [String] {
        var result: [String] = []
        for word in Self.words(text) {
            if word.utf8.allSatisfy({ $0 < 0x80 }) {
                if let term = asciiTerm(word) { result.append(term) }
            } else {
                result.append(word)
                if foldsDiacritics {
                    let folded = Self.fold(word)
                    guard folded != word else { continue }
                    // The folded form is what a query typed without accents holds, and such a query's
                    // words are ASCII: it gets their analysis, or "ngày" (folded "ngay") would never
                    // meet the stemmed "ngai" of a typed "ngay".
                    if folded.utf8.allSatisfy({ $0 < 0x80 }) {
                        if let term = asciiTerm(folded) { result.append(term) }
                    } else {
                        result.append(folded)
                    }
                }
            }
        }
        return result
    }

    /// An ASCII word as a term: nil for a stop word, else stemmed.
    private func asciiTerm(_ word: String) -> String? {
        if removesStopWords && Self.stopWords.contains(word) { return nil }
        return stemsEnglish && word.count > 2 ? PorterStemmer.stem(word) : word
    }

    /// Lower-cased NFC words: maximal runs of letters and digits.
    static func words(_ text: String) -> [String] {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return asciiWords(text) }
        return unicodeWords(text)
    }

    /// `words` for ASCII text, on bytes. For ASCII, NFC is the identity, lower-casing maps A–Z
    /// only, and the letters and digits are exactly A–Z, a–z and 0–9, so this gives the same words
    /// as ``unicodeWords(_:)`` (a test compares them) without Foundation's normalisation, which
    /// was most of the cost of building a user's keyword index (the service profile in
    /// docs/benchmarks-archive.md).
    static func asciiWords(_ text: String) -> [String] {
        var words: [String] = []
        var current: [UInt8] = []
        current.reserveCapacity(32)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                current.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                current.append(byte | 0x20)
            default:
                if !current.isEmpty {
                    words.append(String(decoding: current, as: UTF8.self))
                    current.removeAll(keepingCapacity: true)
                }
            }
        }
        if !current.isEmpty { words.append(String(decoding: current, as: UTF8.self)) }
        return words
    }

    /// `words` for any text: NFC, lower-cased, split on everything but letters, digits and the
    /// combining marks that follow a word.
    static func unicodeWords(_ text: String) -> [String] {
        let normalized = text.precomposedStringWithCanonicalMapping.lowercased()
        var words: [String] = []
        var current = ""
        for character in normalized {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if character.unicodeScalars.allSatisfy({ $0.properties.generalCategory == .nonspacingMark }),
                !current.isEmpty
            {
                current.append(character)  // a stray combining mark belongs to the word before it
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// `word` without combining marks (canonical decomposition, marks dropped), đ → d.
    public static func fold(_ word: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in word.decomposedStringWithCanonicalMapping.unicodeScalars {
            switch scalar.value {
            case 0x0300...0x036F: continue  // combining diacritical marks
            case 0x0111: scalars.append("d")  // đ
            case 0x0110: scalars.append("D")  // Đ
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// Lucene's English stop words (the default of its EnglishAnalyzer).
    static let stopWords: Set<String> = [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
        "will", "with",
    ]
}
