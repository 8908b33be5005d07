import Testing

@testable import PikaEmbeddings

@Suite("Hashing embedder and embedder identity")
struct HashingEmbedderTests {
    @Test("deterministic, normalised, sensitive to words, case-insensitive")
    func deterministic() async throws {
        let embedder = try HashingEmbedder(dimension: 64)
        let a = try await embedder.embed("My cat likes fish")
        #expect(a == embedder.vector(for: "my CAT likes fish!"))
        #expect(a.count == 64)
        #expect(abs(a.reduce(0) { $0 + $1 * $1 } - 1) < 1e-5)
        #expect(
            cosine(a, embedder.vector(for: "my cat likes fish a lot"))
                > cosine(a, embedder.vector(for: "stock markets fell")))
        #expect(embedder.vector(for: "").allSatisfy { $0 == 0 })
        // A fixed value guards against an accidental change of the scheme (collections depend on it).
        #expect(HashingEmbedder.words(in: "Hi") == [0x08ba_5f07_b55e_c3da])
    }

    @Test("dimension must be positive")
    func invalid() {
        #expect(throws: EmbeddingError.self) { try HashingEmbedder(dimension: 0) }
    }

    @Test("a collection refuses another embedder")
    func identity() throws {
        let stored = EmbedderIdentity(name: "all-MiniLM-L6-v2", dimension: 384)
        try stored.requireCompatible(with: EmbedderIdentity(name: "all-MiniLM-L6-v2", dimension: 384))
        let hashing = try HashingEmbedder(dimension: 384)
        let error = #expect(throws: EmbeddingError.self) { try stored.requireCompatible(with: hashing.identity) }
        #expect(error?.code == .embedderMismatch)
        #expect(error?.message.contains("hashing-v1/384") == true)
        let dimension = #expect(throws: EmbeddingError.self) {
            try stored.requireCompatible(with: EmbedderIdentity(name: "all-MiniLM-L6-v2", dimension: 768))
        }
        #expect(dimension?.message.contains("dimension 384 vs 768") == true)
    }
}
