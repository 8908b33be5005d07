import Foundation
import PikaTestSupport
import Testing

@testable import PikaEmbeddings

/// One e5 model shared by every test in the process.
enum SharedE5 {
    static let loaded: Result<E5Embedder, EmbeddingError> = Result { () throws(EmbeddingError) in try E5Embedder() }

    static func embedder() throws -> E5Embedder {
        switch loaded {
        case .success(let embedder): return embedder
        case .failure(let error):
            Issue.record("e5 tests need the model: \(error) — run scripts/fetch-model.sh")
            throw error
        }
    }
}

/// Reference ids and vectors written by scripts/reference/e5_reference.py.
struct E5ReferenceFixtures: Decodable {
    struct Sentence: Decodable {
        let name: String
        let kind: String
        let text: String
        let ids: [Int32]
        let truncated: Bool
        let vector: [Float]

        var role: E5Embedder.Role { kind == "query" ? .query : .passage }
    }
    let maxTokens: Int
    let sentences: [Sentence]

    static func load() throws -> E5ReferenceFixtures {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/e5-reference", withExtension: "json"))
        return try JSONDecoder().decode(E5ReferenceFixtures.self, from: Data(contentsOf: url))
    }
}

@Suite("multilingual-e5-small against the numpy reference", .blockingWork)
struct E5EmbedderTests {
    @Test("token ids match the reference tokenizer (prefix included)")
    func tokenIDs() throws {
        let embedder = try SharedE5.embedder()
        for sentence in try E5ReferenceFixtures.load().sentences {
            let tokenized = embedder.tokenizer.encode(sentence.role.prefix + sentence.text)
            #expect(tokenized.ids == sentence.ids, "\(sentence.name)")
            #expect(tokenized.truncated == sentence.truncated, "\(sentence.name)")
        }
    }

    @Test("vectors match the reference with cosine ≥ 0.999, batched and alone")
    func vectors() async throws {
        let embedder = try SharedE5.embedder()
        let fixtures = try E5ReferenceFixtures.load()
        for role in [E5Embedder.Role.query, .passage] {
            let sentences = fixtures.sentences.filter { $0.role == role }
            let batched = embedder.encode(sentences.map(\.text), as: role)
            for (sentence, result) in zip(sentences, batched) {
                #expect(result.vector.count == 384)
                #expect(cosine(result.vector, sentence.vector) >= 0.999, "\(sentence.name)")
                #expect(result.truncated == sentence.truncated, "\(sentence.name)")
            }
        }
        for sentence in fixtures.sentences where sentence.ids.count <= 64 {
            let single =
                sentence.role == .query
                ? try await embedder.embedQuery(sentence.text) : try await embedder.embed(sentence.text)
            #expect(cosine(single, sentence.vector) >= 0.999, "\(sentence.name) alone")
            let norm = single.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-4)
        }
    }

    @Test("a character no piece covers is <unk>; any script embeds without error")
    func unknownAndScripts() async throws {
        let embedder = try SharedE5.embedder()
        let ids = embedder.tokenizer.encode("a \u{1FAE8}\u{1FAE8} b").ids
        #expect(ids.contains(embedder.tokenizer.unknownID))
        #expect(ids.filter { $0 == embedder.tokenizer.unknownID }.count == 1, "adjacent unknowns merge")
        let texts = ["สวัสดีครับ", "مرحبا بالعالم", "🦄🦄🦄", "日本語とEnglishとTiếng Việt", "\u{0}\u{7}", ""]
        for vector in try await embedder.embed(texts) {
            #expect(vector.count == 384 && vector.allSatisfy(\.isFinite))
        }
    }

    @Test("queries and passages are embedded in their own forms")
    func roles() async throws {
        let embedder = try SharedE5.embedder()
        let query = try await embedder.embedQuery("Em thích gì?")
        let passage = try await embedder.embed("Em thích gì?")
        #expect(cosine(query, passage) < 0.999)
        let related = try await embedder.embed("Lan thích mèo")
        let unrelated = try await embedder.embed("Giá vàng hôm nay tăng mạnh")
        let question = try await embedder.embedQuery("Lan thích con gì?")
        #expect(cosine(question, related) > cosine(question, unrelated))
    }

    @Test("a 20,000-character message is cut at each model's limit, head kept, and reported")
    func longMessage() throws {
        let text = String(repeating: "Em thích mèo và chó. ", count: 1000)
        #expect(text.count >= 20_000)
        let e5 = try SharedE5.embedder().encode([text], as: .passage)[0]
        #expect(e5.truncated && e5.tokenCount == 512)
        let minilm = try SharedModel.embedder()
        let short = minilm.encode([text])[0]
        #expect(short.truncated && short.tokenCount == 256)
        var options = MiniLMEmbedder.Options()
        options.maxTokens = 512
        let wide = try MiniLMEmbedder(directory: minilm.directory, options: options).encode([text])[0]
        #expect(wide.truncated && wide.tokenCount == 512)
    }
}

@Suite("SentencePiece unigram tokenizer on a hand-made vocabulary")
struct SentencePieceTokenizerTests {
    /// Pieces: 0 <s>, 1 <pad>, 2 </s>, 3 <unk>, then words and sub-words with chosen scores.
    func tokenizer(maxTokens: Int = 16) throws -> SentencePieceTokenizer {
        let vocabulary: [(String, Float)] = [
            ("<s>", 0), ("<pad>", 0), ("</s>", 0), ("<unk>", 0),
            ("▁", -2), ("▁ab", -3), ("▁a", -1), ("b", -1), ("c", -5), ("▁abc", -4.5), ("a", -6), ("A", -6),
        ]
        return try SentencePieceTokenizer(
            pieces: vocabulary.map(\.0), scores: vocabulary.map(\.1), control: [0, 1, 2, 3],
            normalisation: [0x09: [" "], 0x07: []], begin: 0, end: 2, unknown: 3, maxTokens: maxTokens)
    }

    @Test("Viterbi picks the best-scoring segmentation, not the longest match")
    func viterbi() throws {
        let t = try tokenizer()
        // ▁a + b = -2 beats ▁ab = -3; ▁abc (-4.5) beats ▁a + b + c (-7).
        #expect(t.encode("ab").ids == [0, 6, 7, 2])
        #expect(t.encode("abc").ids == [0, 9, 2])
    }

    @Test("spaces: tabs map to spaces, runs collapse, control characters vanish, one leading marker")
    func spaces() throws {
        let t = try tokenizer()
        #expect(t.encode("ab\t \u{7}  ab").ids == [0, 6, 7, 6, 7, 2])
        #expect(t.encode("  ab").ids == [0, 6, 7, 2])
        #expect(t.encode("").ids == [0, 4, 2])
    }

    @Test("uncovered characters become one <unk> per run within a word; NFKC applies first")
    func unknown() throws {
        let t = try tokenizer()
        #expect(t.encode("axy").ids == [0, 6, 3, 2])
        #expect(t.encode("x y").ids == [0, 4, 3, 4, 3, 2])
        #expect(t.encode("Ａ").ids == [0, 4, 11, 2])  // full-width A is A after NFKC
    }

    @Test("truncation keeps the head and <s> … </s>")
    func truncation() throws {
        let t = try tokenizer(maxTokens: 4)
        let result = t.encode("ab ab ab")
        #expect(result.ids == [0, 6, 7, 2] && result.truncated)
        #expect(!t.encode("ab").truncated)
    }
}
