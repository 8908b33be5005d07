import Foundation
import PikaEmbeddings
import Testing

/// One model shared by every test in the process (loading maps 90 MB and parses tokenizer.json).
enum SharedModel {
    /// The embedder, or the error that explains why it could not be loaded.
    /// fp32, whatever the default: the fixtures' bound (cosine ≥ 0.9999) is the reference arithmetic's.
    static let loaded: Result<MiniLMEmbedder, EmbeddingError> = Result { () throws(EmbeddingError) in
        var options = MiniLMEmbedder.Options()
        options.precision = .fp32
        return try MiniLMEmbedder(options: options)
    }

    /// The embedder; a missing model fails the calling test with the fetch command in the message.
    static func embedder() throws -> MiniLMEmbedder {
        switch loaded {
        case .success(let embedder): return embedder
        case .failure(let error):
            Issue.record("model tests need the model: \(error) — run scripts/fetch-model.sh")
            throw error
        }
    }
}

/// Reference vectors written by scripts/reference/minilm_reference.py.
struct ReferenceFixtures: Decodable {
    struct Sentence: Decodable {
        let name: String
        let text: String
        let ids: [Int32]
        let truncated: Bool
        let vector: [Float]
    }
    let maxTokens: Int
    let sentences: [Sentence]

    static func load() throws -> ReferenceFixtures {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/minilm-reference", withExtension: "json"))
        return try JSONDecoder().decode(ReferenceFixtures.self, from: Data(contentsOf: url))
    }
}

/// Cosine similarity of two vectors of the same length.
func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0
    var na = 0.0
    var nb = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        na += Double(x) * Double(x)
        nb += Double(y) * Double(y)
    }
    return dot / max((na * nb).squareRoot(), 1e-30)
}
