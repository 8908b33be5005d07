import Foundation
import PikaEmbeddings
import PikaTestSupport
import Testing

/// The model directory scripts/setup.sh fetches (CI has it); the suite is skipped without it.
private let modelDirectory = OpenAPIDocumentTests.repositoryRoot.appendingPathComponent("models/all-MiniLM-L6-v2").path
private let modelPresent = FileManager.default.fileExists(atPath: modelDirectory + "/model.safetensors")

@Suite("Semantic search with MiniLM", .enabled(if: modelPresent, "MiniLM model not fetched (scripts/fetch-model.sh)"), .blockingWork)
struct MiniLMServiceTests {
    @Test func paraphrasedQueryFindsTheFact() async throws {
        let embedder = try MiniLMEmbedder(directory: modelDirectory)
        try await ServiceHarness.run(embedder: embedder) { client in
            let added = try await client.call(
                .post, "/v1/memories",
                json: """
                    {"messages":"My sister is named Lan. I go to Sunrise Elementary. I love dinosaurs. I have a dog named Max.",
                     "user_id":"u1","async":false}
                    """)
            #expect(added.results.count == 4)
            let search = try await client.call(
                .post, "/search_facts", json: #"{"query":"which prehistoric reptiles is the kid into?","user_id":"u1","limit":2}"#)
            #expect(search.results.first?["memory"]?.stringValue == "Loves dinosaurs")
            // Vector mode: the meaning alone. In hybrid mode (the default) "name" matches two of the four
            // memories, and per-list min–max scaling gives the longer match a keyword score of 0, so the
            // sister outranks the dog here (a small-set effect of the measured fusion; see docs/api.md).
            let pet = try await client.call(
                .post, "/search_facts", json: #"{"query":"what is the name of their puppy?","user_id":"u1","limit":1,"mode":"vector"}"#)
            #expect(pet.results.first?["memory"]?.stringValue == "Has a dog named Max")
        }
    }
}
