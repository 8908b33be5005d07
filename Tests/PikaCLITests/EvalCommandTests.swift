import Foundation
import PikaEmbeddings
import PikaTestSupport
import Testing

/// `pika eval` as an operator runs it: the process, its last JSON line, its exit status, and the
/// remote embedder reached through a real socket.
@Suite("pika eval", .blockingWork)
struct EvalCommandTests {
    /// The BEIR fixtures of the evaluation tests.
    private static let fixtures = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("PikaEvaluationTests/Fixtures").path

    private static let metricKeys = ["ndcg@10", "recall@10", "recall@100", "mrr@10", "queries", "p50_ms", "p95_ms"]

    private func eval(_ mode: String, embedder: String, cache: Scratch, environment: [String: String] = [:]) throws -> PikaProcess.Output {
        try PikaProcess.run(
            [
                "eval", "--dataset", Self.fixtures + "/beir-small", "--format", "beir", "--mode", mode,
                "--embedder", embedder, "--cache-dir", cache.path,
            ],
            environment: environment)
    }

    @Test func printsATableThenTheMetricsAsOneJSONObjectOnTheLastLine() throws {
        let cache = try Scratch()
        let output = try eval("hybrid", embedder: "hashing", cache: cache)
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let json = try #require(output.lastJSON, "last line: \(output.stdout.split(separator: "\n").last ?? "")")
        for key in Self.metricKeys { #expect(json[key] != nil, "\(key) missing") }
        // Two judged queries with a relevant document (q3 is not in the test qrels).
        #expect(json["queries"] as? Int == 2)
        let ndcg = try #require(json["ndcg@10"] as? Double)
        #expect((0...1).contains(ndcg))
        #expect(output.stdout.split(separator: "\n").count > 1, "a table comes before the JSON line")
    }

    @Test func aMalformedCorpusExitsWithStatusTwoNamingTheFile() throws {
        let cache = try Scratch()
        let output = try PikaProcess.run(
            [
                "eval", "--dataset", Self.fixtures + "/beir-bad-corpus", "--format", "beir", "--embedder", "hashing",
                "--cache-dir", cache.path,
            ])
        #expect(output.status == 2)
        #expect(output.stderr.contains("corpus.jsonl"), "stderr: \(output.stderr)")
        #expect(output.lastJSON == nil)
    }

    /// An OpenAI-compatible server answering with the hashing embedder's vectors: the remote run
    /// must score exactly as the local hashing run does, so every vector went over the wire intact.
    @Test func theOpenAIEmbedderScoresLikeTheSameVectorsComputedLocally() throws {
        let hashing = try HashingEmbedder()
        let server = try TestHTTPServer { request, _ in
            let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
            let input = body?["input"] as? [String] ?? []
            let data = input.enumerated().map { index, text -> [String: Any] in
                ["object": "embedding", "index": index, "embedding": hashing.vector(for: text).map(Double.init)]
            }
            let answer = try! JSONSerialization.data(withJSONObject: ["object": "list", "data": data, "model": "hash-remote"])
            return .respond(status: 200, body: String(decoding: answer, as: UTF8.self))
        }
        defer { server.stop() }
        let environment = [
            "PIKA_EMBEDDINGS_URL": server.baseURL.absoluteString, "PIKA_EMBEDDINGS_MODEL": "hash-remote",
            "PIKA_EMBEDDINGS_DIMENSION": "\(hashing.dimension)", "PIKA_EMBEDDINGS_API_KEY": "sk-eval",
        ]
        let remote = try eval("vector", embedder: "openai", cache: try Scratch(), environment: environment)
        let local = try eval("vector", embedder: "hashing", cache: try Scratch())
        #expect(remote.status == 0, "stderr: \(remote.stderr)")
        let remoteJSON = try #require(remote.lastJSON)
        let localJSON = try #require(local.lastJSON)
        for key in ["ndcg@10", "recall@10", "recall@100", "mrr@10", "queries"] {
            // Required on both sides, so a key missing from both cannot compare equal as nil == nil.
            let remoteValue = try #require(remoteJSON[key] as? Double, "\(key) missing from the remote run")
            #expect(remoteValue == (try #require(localJSON[key] as? Double, "\(key) missing from the local run")), "\(key)")
        }
        #expect(!server.requests.isEmpty)
        #expect(server.requests.allSatisfy { $0.path == "/v1/embeddings" && $0.headers["authorization"] == "Bearer sk-eval" })
    }

    @Test func theOpenAIEmbedderWithoutItsSettingsFailsNamingThem() throws {
        let output = try eval(
            "vector", embedder: "openai", cache: try Scratch(),
            environment: ["PIKA_EMBEDDINGS_URL": "", "PIKA_EMBEDDINGS_MODEL": ""])
        #expect(output.status == 1)
        #expect(output.stderr.contains("PIKA_EMBEDDINGS_URL"), "stderr: \(output.stderr)")
    }
}
