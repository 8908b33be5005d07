import Foundation
import PikaEngine

/// The result of tokenizing one text for a BERT encoder.
public struct TokenizedText: Sendable, Equatable {
    /// Vocabulary ids, starting with `[CLS]` and ending with `[SEP]`.
    public var ids: [Int32]
    /// Whether word pieces were dropped to fit ``WordPieceTokenizer/maxTokens``.
    public var truncated: Bool

    /// Creates a tokenized text.
    public init(ids: [Int32], truncated: Bool) {
        self.ids = ids
        self.truncated = truncated
    }
}

/// BERT's uncased WordPiece tokenizer, configured from a Hugging Face `tokenizer.json`.
///
/// Normalisation follows `BertNormalizer`: control characters removed, whitespace unified, CJK
/// ideographs isolated, accents stripped (NFD, then non-spacing marks dropped) and lower-casing
/// one character at a time. Pre-tokenisation splits on whitespace and isolates every punctuation
/// character; WordPiece then matches the longest vocabulary entry greedily, continuing pieces
/// prefixed with `##`, and a word it cannot cover becomes `[UNK]`.
public struct WordPieceTokenizer: Sendable {
    /// The largest sequence produced, `[CLS]` and `[SEP]` included; longer texts are truncated.
    public let maxTokens: Int
    /// Number of entries in the vocabulary.
    public var vocabularySize: Int { vocabulary.count }

    private let vocabulary: [[UInt8]: Int32]
    private let unknownID: Int32
    private let classifierID: Int32
    private let separatorID: Int32
    private let continuationPrefix: [UInt8]
    private let maxCharactersPerWord: Int
    private let lowercase: Bool
    private let stripAccents: Bool
    private let cleanText: Bool
    private let isolateCJK: Bool

    /// Reads `tokenizer.json`.
    ///
    /// - Parameters:
    ///   - path: a Hugging Face tokenizer file with a `WordPiece` model and a `BertNormalizer`.
    ///   - maxTokens: truncation length including `[CLS]` and `[SEP]` (at least 2).
    /// - Throws: ``EmbeddingError/Code/modelNotFound`` if the file is missing,
    ///   ``EmbeddingError/Code/tokenizerInvalid`` if it is malformed or of another kind.
    public init(contentsOf path: String, maxTokens: Int = 256) throws(EmbeddingError) {
        let file = try MappedFile(path: path)
        func invalid(_ why: String) -> EmbeddingError {
            EmbeddingError(.tokenizerInvalid, "\(path): \(why)")
        }
        guard maxTokens >= 2 else { throw EmbeddingError(.invalidArgument, "maxTokens must be at least 2") }
        guard let spec = (try? JSONSerialization.jsonObject(with: Data(file.bytes))) as? [String: Any] else {
            throw invalid("not a JSON object")
        }
        guard let model = spec["model"] as? [String: Any], model["type"] as? String == "WordPiece",
            let vocab = model["vocab"] as? [String: Int]
        else { throw invalid("model is not a WordPiece model with a vocab") }
        if let normalizer = spec["normalizer"] as? [String: Any] {
            guard normalizer["type"] as? String == "BertNormalizer" else {
                throw invalid("normalizer \(normalizer["type"] ?? "?") is not supported (BertNormalizer only)")
            }
            lowercase = normalizer["lowercase"] as? Bool ?? true
            // `strip_accents: null` means "follow lowercase", as in the original BERT.
            stripAccents = normalizer["strip_accents"] as? Bool ?? lowercase
            cleanText = normalizer["clean_text"] as? Bool ?? true
            isolateCJK = normalizer["handle_chinese_chars"] as? Bool ?? true
        } else {
            throw invalid("no normalizer (an uncased BertNormalizer is required)")
        }
        if let pre = spec["pre_tokenizer"] as? [String: Any], pre["type"] as? String != "BertPreTokenizer" {
            throw invalid("pre_tokenizer \(pre["type"] ?? "?") is not supported (BertPreTokenizer only)")
        }
        var table: [[UInt8]: Int32] = [:]
        table.reserveCapacity(vocab.count)
        for (token, id) in vocab { table[Array(token.utf8)] = Int32(id) }
        func id(of token: String) throws(EmbeddingError) -> Int32 {
            guard let id = table[Array(token.utf8)] else { throw invalid("vocabulary lacks \(token)") }
            return id
        }
        vocabulary = table
        unknownID = try id(of: model["unk_token"] as? String ?? "[UNK]")
        classifierID = try id(of: "[CLS]")
        separatorID = try id(of: "[SEP]")
        continuationPrefix = Array((model["continuing_subword_prefix"] as? String ?? "##").utf8)
        maxCharactersPerWord = model["max_input_chars_per_word"] as? Int ?? 100
        self.maxTokens = maxTokens
    }

    /// Tokenizes one text: `[CLS]`, at most `maxTokens - 2` word pieces, `[SEP]`.
    ///
    /// - Complexity: O(n·w) for n characters and words of at most w characters.
    public func encode(_ text: String) -> TokenizedText {
        var ids: [Int32] = [classifierID]
        let limit = maxTokens - 1
        var truncated = false
        words: for word in words(in: normalize(text)) {
            for piece in wordPieces(word) {
                if ids.count == limit {
                    truncated = true
                    break words
                }
                ids.append(piece)
            }
        }
        ids.append(separatorID)
        return TokenizedText(ids: ids, truncated: truncated)
    }

    /// The normalised text as scalars (see the type's documentation).
    func normalize(_ text: String) -> [Unicode.Scalar] {
        var cleaned = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if cleanText {
                if value == 0 || value == 0xFFFD || Self.isControl(scalar) { continue }
                if Self.isWhitespace(scalar) {
                    cleaned.append(" ")
                    continue
                }
            }
            if isolateCJK && Self.isCJK(value) {
                cleaned.append(" ")
                cleaned.append(scalar)
                cleaned.append(" ")
            } else {
                cleaned.append(scalar)
            }
        }
        var source = String(cleaned)
        if stripAccents { source = source.decomposedStringWithCanonicalMapping }
        var result: [Unicode.Scalar] = []
        result.reserveCapacity(source.unicodeScalars.count)
        for scalar in source.unicodeScalars {
            if stripAccents && scalar.properties.generalCategory == .nonspacingMark { continue }
            if lowercase {
                result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return result
    }

    /// Splits on whitespace and isolates punctuation, as `BertPreTokenizer`.
    func words(in scalars: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var words: [ArraySlice<Unicode.Scalar>] = []
        var start = 0
        for (index, scalar) in scalars.enumerated() {
            let space = Self.isWhitespace(scalar)
            if space || Self.isPunctuation(scalar) {
                if start < index { words.append(scalars[start..<index]) }
                if !space { words.append(scalars[index...index]) }
                start = index + 1
            }
        }
        if start < scalars.count { words.append(scalars[start...]) }
        return words
    }

    /// Greedy longest-match-first WordPiece for one word.
    func wordPieces(_ word: ArraySlice<Unicode.Scalar>) -> [Int32] {
        if word.count > maxCharactersPerWord { return [unknownID] }
        // UTF-8 offsets of every scalar boundary, so substrings are byte slices.
        var utf8: [UInt8] = []
        var boundaries: [Int] = [0]
        for scalar in word {
            utf8.append(contentsOf: String(scalar).utf8)
            boundaries.append(utf8.count)
        }
        var pieces: [Int32] = []
        var start = 0
        var key: [UInt8] = []
        while start < word.count {
            var end = word.count
            var found: Int32?
            while start < end {
                key.removeAll(keepingCapacity: true)
                if start > 0 { key.append(contentsOf: continuationPrefix) }
                key.append(contentsOf: utf8[boundaries[start]..<boundaries[end]])
                if let id = vocabulary[key] {
                    found = id
                    break
                }
                end -= 1
            }
            guard let id = found else { return [unknownID] }
            pieces.append(id)
            start = end
        }
        return pieces
    }

    /// Rust's `char::is_whitespace` with tab, newline and carriage return.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isWhitespace
    }

    /// Categories Cc, Cf, Cn, Co, Cs, except tab, newline and carriage return.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        default: break
        }
        switch scalar.properties.generalCategory {
        case .control, .format, .unassigned, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// ASCII punctuation and symbols, plus every Unicode punctuation category.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        if (33...47).contains(v) || (58...64).contains(v) || (91...96).contains(v) || (123...126).contains(v) {
            return true
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default: return false
        }
    }

    /// The CJK Unified Ideograph blocks BERT isolates (not Hiragana, Katakana or Hangul).
    static func isCJK(_ v: UInt32) -> Bool {
        (0x4E00...0x9FFF).contains(v) || (0x3400...0x4DBF).contains(v) || (0x20000...0x2A6DF).contains(v)
            || (0x2A700...0x2B73F).contains(v) || (0x2B740...0x2B81F).contains(v)
            || (0x2B820...0x2CEAF).contains(v) || (0xF900...0xFAFF).contains(v)
            || (0x2F800...0x2FA1F).contains(v)
    }
}
