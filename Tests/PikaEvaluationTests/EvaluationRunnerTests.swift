import Foundation
import PikaEmbeddings
import Synchronization
import Testing

@testable import PikaEvaluation
@testable import PikaRetrieval

/// Counts the texts it embeds (hashing underneath).
final class CountingEmbedder: Embedder {
    let inner = try! HashingEmbedder(dimension: 64)
    let embedded = Mutex(0)
    var name: String { inner.name }
    var dimension: Int { inner.dimension }
    var count: Int { embedded.withLock { value in value } }
    func embed(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        embedded.withLock { $0 += texts.count }
        return try await inner.embed(texts)
    }
}

@Suite struct EvaluationRunnerTests {
    @Test func cacheEmbedsEachTextOnce() async throws {
        let directory = FileManager.default.temporaryDirectory.path + "/pika-eval-cache-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = EmbeddingCache(directory: directory)
        let embedder = CountingEmbedder()
        let first = try await cache.embeddings(of: ["a dog", "a cat", "a dog"], using: embedder, chunk: 2)
        #expect(embedder.count == 3)
        let second = try await cache.embeddings(of: ["a cat", "a dog", "a bird"], using: embedder)
        #expect(embedder.count == 4)  // only "a bird" was new
        #expect(second[0] == first[1] && second[1] == first[0])
    }

    @Test func beirEndToEndInEveryMode() async throws {
        let dataset = try BEIRDataset.load(directory: DatasetLoaderTests.fixture("beir-small"))
        for mode in RetrievalMode.allCases {
            let runner = EvaluationRunner(
                configuration: EvaluationConfiguration(mode: mode), embedder: try HashingEmbedder(dimension: 64))
            let report = try await runner.run(dataset, name: "beir-small")
            #expect(report.overall.queries == 2)
            #expect(report.overall.recall100 == 1)  // three documents: everything is within 100
            let json = report.json()
            for key in ["\"ndcg@10\"", "\"recall@10\"", "\"recall@100\"", "\"mrr@10\"", "\"queries\"", "\"p50_ms\"", "\"p95_ms\""] {
                #expect(json.contains(key))
            }
        }
        let keyword = try await EvaluationRunner(
            configuration: EvaluationConfiguration(mode: .keyword), embedder: try HashingEmbedder()
        ).run(dataset, name: "beir-small")
        #expect(keyword.overall.ndcg10 == 1)  // each query's words pick its document first
    }

    @Test func hybridRunsTheServiceFusionAndLogsItsCandidates() async throws {
        let dataset = try BEIRDataset.load(directory: DatasetLoaderTests.fixture("beir-small"))
        let path = FileManager.default.temporaryDirectory.path + "/pika-eval-candidates-\(UUID().uuidString).jsonl"
        defer { try? FileManager.default.removeItem(atPath: path) }
        var configuration = EvaluationConfiguration(mode: .hybrid)
        configuration.candidatesPath = path
        let report = try await EvaluationRunner(configuration: configuration, embedder: try HashingEmbedder(dimension: 64))
            .run(dataset, name: "beir-small")
        #expect(report.json().contains("\"confidence\""))  // the service's fusion
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        let vector = try #require(first["vector"] as? [[Any]])
        #expect(vector.count == 3)  // every document, by its dataset id
        #expect(Set(vector.compactMap { $0.first as? String }) == Set(dataset.documents.map(\.id)))
        #expect((first["keyword"] as? [[Any]])?.isEmpty == false)
    }

    @Test func locomoTurnsReportCategoriesApart() async throws {
        let dataset = try LoCoMoDataset.load(path: DatasetLoaderTests.fixture("locomo-small.json"))
        let runner = EvaluationRunner(
            configuration: EvaluationConfiguration(mode: .hybrid), embedder: try HashingEmbedder(dimension: 64))
        let report = try await runner.run(dataset, name: "locomo-small")
        #expect(report.overall.queries == 2)  // categories 1-4 only
        #expect(report.categories["adversarial"]?.queries == 1)
        #expect(report.categories["single-hop"]?.queries == 1)
        #expect(report.documents == 3)
    }
}
