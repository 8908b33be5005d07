import Foundation

/// XLM-RoBERTa's SentencePiece unigram tokenizer (the one multilingual-e5 uses), in Swift.
///
/// Steps, as the model's Hugging Face tokenizer performs them:
/// 1. NFKC, then the model's own per-character table (control characters dropped, every kind of
///    space and line break made a plain space, a few NMT-specific foldings); runs of spaces
///    become one space.
/// 2. Every space becomes `▁` (U+2581) and one `▁` is put in front unless the text starts with
///    one, so each word carries its boundary marker.
/// 3. The text is cut before every `▁`; each word is segmented by Viterbi over the pieces'
///    log-probabilities (the segmentation with the highest total score). Control pieces (`<s>`,
///    `</s>`, `<pad>`, `<unk>`, `<mask>`) never match text. A character no piece covers is
///    `<unk>`, scored as the lowest piece minus 10; adjacent `<unk>`s merge into one.
/// 4. `<s> … </s>`, keeping the head when the text has more than ``maxTokens`` tokens.
public struct SentencePieceTokenizer: Sendable {
    /// The largest sequence produced, `<s>` and `</s>` included; longer texts are truncated.
    public let maxTokens: Int
    /// Number of pieces in the vocabulary (control pieces included).
    public let vocabularySize: Int
    /// The id of `<unk>`.
    public let unknownID: Int32

    private let pieces: [[UInt8]: Int32]
    private let scores: [Float]
    private let unknownScore: Float
    private let longestPiece: Int
    private let normalisation: [UInt32: [Unicode.Scalar]]
    private let beginID: Int32
    private let endID: Int32

    /// The word-boundary marker, U+2581.
    static let boundary: Unicode.Scalar = "\u{2581}"

    /// Builds the tokenizer from a vocabulary.
    ///
    /// - Parameters:
    ///   - pieces: the vocabulary, in id order.
    ///   - scores: each piece's log-probability.
    ///   - control: ids of pieces that never match text (`<s>`, `</s>`, `<pad>`, `<unk>`, `<mask>`).
    ///   - normalisation: per-character replacements applied after NFKC (an empty array drops the character).
    ///   - begin, end, unknown: the ids of `<s>`, `</s>` and `<unk>`.
    ///   - maxTokens: truncation length including `<s>` and `</s>` (at least 2).
    public init(
        pieces: [String], scores: [Float], control: Set<Int32>, normalisation: [UInt32: [Unicode.Scalar]],
        begin: Int32, end: Int32, unknown: Int32, maxTokens: Int = 512
    ) throws(EmbeddingError) {
        guard pieces.count == scores.count, !pieces.isEmpty else {
            throw EmbeddingError(.tokenizerInvalid, "\(pieces.count) pieces but \(scores.count) scores")
        }
        guard maxTokens >= 2 else { throw EmbeddingError(.invalidArgument, "maxTokens must be at least 2") }
        for id in [begin, end, unknown] where id < 0 || Int(id) >= pieces.count {
            throw EmbeddingError(.tokenizerInvalid, "special token id \(id) is outside the \(pieces.count) pieces")
        }
        var table: [[UInt8]: Int32] = [:]
        table.reserveCapacity(pieces.count)
        var longest = 1
        var lowest = Float.infinity
        for (i, piece) in pieces.enumerated() {
            lowest = min(lowest, scores[i])
            guard !control.contains(Int32(i)), !piece.isEmpty else { continue }
            let bytes = Array(piece.utf8)
            // A duplicate keeps its first id, as a vocabulary lookup by string would.
            if table[bytes] == nil { table[bytes] = Int32(i) }
            longest = max(longest, piece.unicodeScalars.count)
        }
        self.pieces = table
        self.scores = scores
        self.unknownScore = lowest - 10
        self.longestPiece = longest
        self.normalisation = normalisation
        self.beginID = begin
        self.endID = end
        self.unknownID = unknown
        self.maxTokens = maxTokens
        self.vocabularySize = pieces.count
    }

    /// Tokenizes `text` into `<s> pieces… </s>`, at most ``maxTokens`` ids.
    public func encode(_ text: String) -> TokenizedText {
        let content = contentIDs(text)
        let room = maxTokens - 2
        return TokenizedText(ids: [beginID] + content.prefix(room) + [endID], truncated: content.count > room)
    }

    /// The pieces of `text` without `<s>`/`</s>` and without truncation.
    func contentIDs(_ text: String) -> [Int32] {
        var ids: [Int32] = []
        var word: [Unicode.Scalar] = []
        for scalar in normalised(text) {
            if scalar == Self.boundary, !word.isEmpty {
                segment(word, into: &ids)
                word.removeAll(keepingCapacity: true)
            }
            word.append(scalar)
        }
        if !word.isEmpty { segment(word, into: &ids) }
        return ids
    }

    /// Steps 1 and 2: the normalised scalars with `▁` for spaces and in front.
    func normalised(_ text: String) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(text.unicodeScalars.count + 1)
        let space: Unicode.Scalar = " "
        var previousSpace = false
        for original in text.precomposedStringWithCompatibilityMapping.unicodeScalars {
            for scalar in normalisation[original.value] ?? [original] {
                if scalar == space {
                    // Runs of spaces collapse to one (a literal ▁ in the text is left alone).
                    if previousSpace { continue }
                    out.append(Self.boundary)
                } else {
                    out.append(scalar)
                }
                previousSpace = scalar == space
            }
        }
        if out.first != Self.boundary { out.insert(Self.boundary, at: 0) }
        return out
    }

    /// Viterbi over one word: `best[i]` is the highest score of a segmentation of the first `i` scalars.
    private func segment(_ word: [Unicode.Scalar], into ids: inout [Int32]) {
        let n = word.count
        // UTF-8 offset of each scalar, so a candidate piece is a byte slice of one buffer.
        var bytes: [UInt8] = []
        var offsets = [Int](repeating: 0, count: n + 1)
        for (i, scalar) in word.enumerated() {
            offsets[i] = bytes.count
            bytes.append(contentsOf: String(Character(scalar)).utf8)
        }
        offsets[n] = bytes.count
        var best = [Float](repeating: -.infinity, count: n + 1)
        var from = [Int](repeating: 0, count: n + 1)
        var piece = [Int32](repeating: -1, count: n + 1)
        best[0] = 0
        for i in 0..<n where best[i] > -.infinity {
            var covered = false
            for j in (i + 1)...min(n, i + longestPiece) {
                guard let id = pieces[Array(bytes[offsets[i]..<offsets[j]])] else { continue }
                if j == i + 1 { covered = true }
                let score = best[i] + scores[Int(id)]
                if score > best[j] {
                    best[j] = score
                    from[j] = i
                    piece[j] = id
                }
            }
            // Only a character no piece covers may be unknown (a known one always scores higher).
            if !covered, best[i] + unknownScore > best[i + 1] {
                best[i + 1] = best[i] + unknownScore
                from[i + 1] = i
                piece[i + 1] = unknownID
            }
        }
        var reversed: [Int32] = []
        var j = n
        while j > 0 {
            reversed.append(piece[j])
            j = from[j]
        }
        // Adjacent unknowns of one word merge into one <unk> (Hugging Face's Unigram does this;
        // words are segmented separately, so unknowns of two words stay two).
        var previous: Int32 = -1
        for id in reversed.reversed() {
            if id == unknownID, previous == unknownID { continue }
            ids.append(id)
            previous = id
        }
    }
}
