import Foundation
import PikaTestSupport
import Testing

@testable import PikaEmbeddings

@Suite("MiniLM embedder against the numpy reference", .blockingWork)
struct MiniLMEmbedderTests {
    @Test("token ids match the reference tokenizer")
    func tokenIDs() throws {
        let embedder = try SharedModel.embedder()
        for sentence in try ReferenceFixtures.load().sentences {
            let tokenized = embedder.tokenizer.encode(sentence.text)
            #expect(tokenized.ids == sentence.ids, "\(sentence.name)")
            #expect(tokenized.truncated == sentence.truncated, "\(sentence.name)")
        }
    }

    @Test("vectors match the reference with cosine ≥ 0.9999, batched and (short ones) alone")
    func vectors() async throws {
        let embedder = try SharedModel.embedder()
        let fixtures = try ReferenceFixtures.load()
        let batched = embedder.encode(fixtures.sentences.map(\.text))
        for (sentence, result) in zip(fixtures.sentences, batched) {
            #expect(result.vector.count == 384)
            #expect(cosine(result.vector, sentence.vector) >= 0.9999, "\(sentence.name)")
            #expect(result.truncated == sentence.truncated, "\(sentence.name)")
            // Alone, a sentence must give the same vector as in a batch (debug builds are slow:
            // the 256-token text is checked batched only).
            guard sentence.ids.count <= 64 else { continue }
            let single = try await embedder.embed(sentence.text)
            #expect(cosine(single, sentence.vector) >= 0.9999, "\(sentence.name) alone")
            let norm = single.reduce(0) { $0 + $1 * $1 }.squareRoot()
            #expect(abs(norm - 1) < 1e-4)
        }
    }

    @Test("truncation at 256 tokens is reported to the caller")
    func truncation() throws {
        let embedder = try SharedModel.embedder()
        let long = String(repeating: "memory ", count: 400)
        let result = embedder.encode([long, "short"])
        #expect(result[0].truncated && result[0].tokenCount == 256)
        #expect(!result[1].truncated && result[1].tokenCount == 3)
    }

    @Test("parallel batches give the same vectors as one batch")
    func parallelBatches() throws {
        let base = try SharedModel.embedder()
        var options = MiniLMEmbedder.Options()
        options.batchTokens = 256
        options.parallelism = 2
        options.precision = .fp32  // as the shared model
        let parallel = try MiniLMEmbedder(directory: base.directory, options: options)
        let texts = (0..<12).map { "sentence number \($0) about a child's favourite toy" }
        for (a, b) in zip(base.encode(texts), parallel.encode(texts)) {
            #expect(cosine(a.vector, b.vector) > 0.99999)
        }
    }

    @Test("a related sentence is closer than an unrelated one")
    func semantics() throws {
        let embedder = try SharedModel.embedder()
        let v = embedder.encode([
            "My son loves dinosaurs.", "The boy is fond of T-rex toys.", "Interest rates rose in March.",
        ])
        #expect(cosine(v[0].vector, v[1].vector) > cosine(v[0].vector, v[2].vector) + 0.2)
    }
}
