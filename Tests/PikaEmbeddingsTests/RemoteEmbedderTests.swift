import Foundation
import PikaTestSupport
import Testing

@testable import PikaEmbeddings

/// A well-formed embeddings answer for the texts of `request`, vectors listed in reverse order
/// (clients must use `index`). Each vector is `[text length, index, 0, …]`.
func embeddingsAnswer(for request: TestHTTPRequest, dimension: Int = 4) -> TestHTTPBehavior {
    let body = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any]
    let input = body?["input"] as? [String] ?? []
    let items = input.enumerated().reversed().map { index, text -> [String: Any] in
        var vector = [Double](repeating: 0, count: dimension)
        vector[0] = Double(text.count)
        if dimension > 1 { vector[1] = Double(index) }
        return ["object": "embedding", "index": index, "embedding": vector]
    }
    let answer: [String: Any] = ["object": "list", "data": items, "model": body?["model"] ?? ""]
    let data = try! JSONSerialization.data(withJSONObject: answer)
    return .respond(status: 200, body: String(decoding: data, as: UTF8.self))
}

func remoteConfiguration(_ server: TestHTTPServer, dimension: Int = 4) -> RemoteEmbedderConfiguration {
    var configuration = RemoteEmbedderConfiguration(
        baseURL: server.baseURL, model: "test-model", dimension: dimension, apiKey: "sk-test")
    configuration.requestTimeout = .milliseconds(500)
    configuration.initialBackoff = .milliseconds(10)
    configuration.maxBackoff = .milliseconds(40)
    configuration.maxAttempts = 3
    return configuration
}

@Suite("Remote embedder against a real HTTP server", .timeLimit(.minutes(2)))
struct RemoteEmbedderTests {
    @Test("sends model, input and key; orders vectors by index; splits batches")
    func success() async throws {
        let server = try TestHTTPServer { request, _ in embeddingsAnswer(for: request) }
        defer { server.stop() }
        var configuration = remoteConfiguration(server)
        configuration.batchSize = 2
        let embedder = try RemoteEmbedder(configuration: configuration)
        let vectors = try await embedder.embed(["a", "bb", "ccc"])
        #expect(vectors == [[1, 0, 0, 0], [2, 1, 0, 0], [3, 0, 0, 0]])
        let requests = server.requests
        #expect(requests.count == 2)
        #expect(requests[0].method == "POST" && requests[0].path == "/v1/embeddings")
        #expect(requests[0].headers["authorization"] == "Bearer sk-test")
        let sent = try #require(try JSONSerialization.jsonObject(with: requests[0].body) as? [String: Any])
        #expect(sent["model"] as? String == "test-model")
        #expect(sent["input"] as? [String] == ["a", "bb"])
        #expect(embedder.identity == EmbedderIdentity(name: "test-model", dimension: 4))
        #expect(try await embedder.embed([]) == [])
    }

    @Test("500s are retried with backoff until the server recovers")
    func retriesServerErrors() async throws {
        let server = try TestHTTPServer { request, ordinal in
            ordinal < 2 ? .respond(status: 500, body: #"{"error":"boom"}"#) : embeddingsAnswer(for: request)
        }
        defer { server.stop() }
        let embedder = try RemoteEmbedder(configuration: remoteConfiguration(server))
        let vectors = try await embedder.embed(["hello"])
        #expect(vectors == [[5, 0, 0, 0]])
        #expect(server.requests.count == 3)
    }

    @Test("persistent 500s fail with remote_status after maxAttempts; 400 is not retried")
    func givesUp() async throws {
        let server = try TestHTTPServer { request, _ in
            request.headers["authorization"] == "Bearer bad"
                ? .respond(status: 401, body: "{}") : .respond(status: 503, body: "{}")
        }
        defer { server.stop() }
        let embedder = try RemoteEmbedder(configuration: remoteConfiguration(server))
        let error = await #expect(throws: EmbeddingError.self) { try await embedder.embed(["x"]) }
        #expect(error?.code == .remoteStatus && error?.httpStatus == 503)
        #expect(server.requests.count == 3)

        var unauthorised = remoteConfiguration(server)
        unauthorised.apiKey = "bad"
        let refused = try RemoteEmbedder(configuration: unauthorised)
        let clientError = await #expect(throws: EmbeddingError.self) { try await refused.embed(["x"]) }
        #expect(clientError?.httpStatus == 401)
        #expect(server.requests.count == 4)
    }

    @Test("malformed JSON and wrong dimensions are named errors")
    func malformed() async throws {
        let server = try TestHTTPServer { request, ordinal in
            switch ordinal {
            case 0: return .respond(status: 200, body: #"{"data": [{"embedding": [1, 2"#)
            case 1: return .respond(status: 200, body: #"{"object":"list"}"#)
            default: return embeddingsAnswer(for: request, dimension: 3)
            }
        }
        defer { server.stop() }
        let embedder = try RemoteEmbedder(configuration: remoteConfiguration(server))
        for expected in [EmbeddingError.Code.remoteMalformedResponse, .remoteMalformedResponse, .embedderMismatch] {
            let error = await #expect(throws: EmbeddingError.self) { try await embedder.embed(["x"]) }
            #expect(error?.code == expected)
        }
        #expect(server.requests.count == 3)  // none of these is retried
    }

    @Test("a server that never answers times out, and the timeout is retried")
    func timeout() async throws {
        // The server would hang for 30 s, far beyond the whole test: only the client's own
        // timeout can end each attempt (server.stop() releases the stalled connections).
        let server = try TestHTTPServer { _, _ in .stall(seconds: 30) }
        defer { server.stop() }
        var configuration = remoteConfiguration(server)
        configuration.requestTimeout = .milliseconds(300)
        configuration.maxAttempts = 2
        let embedder = try RemoteEmbedder(configuration: configuration)
        let error = await #expect(throws: EmbeddingError.self) { try await embedder.embed(["x"]) }
        #expect(error?.code == .remoteTimeout)
        #expect(server.requests.count == 2)
    }

    @Test("a refused connection is a transport error")
    func refused() async throws {
        let server = try TestHTTPServer { request, _ in embeddingsAnswer(for: request) }
        await server.stopAndWait()
        var configuration = remoteConfiguration(server)
        configuration.maxAttempts = 1
        let embedder = try RemoteEmbedder(configuration: configuration)
        let error = await #expect(throws: EmbeddingError.self) { try await embedder.embed(["x"]) }
        #expect(error?.code == .remoteTransport)
    }

    @Test("the circuit breaker opens after repeated failures and closes after a good trial")
    func circuitBreaker() async throws {
        let healthy = LockedBox(false)
        let server = try TestHTTPServer { request, _ in
            healthy.withLockedValue { $0 } ? embeddingsAnswer(for: request) : .respond(status: 500, body: "{}")
        }
        defer { server.stop() }
        var configuration = remoteConfiguration(server)
        configuration.maxAttempts = 1
        configuration.failureThreshold = 2
        // Open for longer than any test runs: the refusal below cannot race the breaker's timer.
        configuration.openDuration = .seconds(600)
        let embedder = try RemoteEmbedder(configuration: configuration)
        for _ in 0..<2 {
            let error = await #expect(throws: EmbeddingError.self) { try await embedder.embed(["x"]) }
            #expect(error?.code == .remoteStatus)
        }
        let open = await #expect(throws: EmbeddingError.self) { try await embedder.embed(["x"]) }
        #expect(open?.code == .circuitOpen)
        #expect(server.requests.count == 2)  // refused without a request

        // A breaker open for 1 ms: its trial call is due as soon as the sleep (at least 20 ms) ends.
        configuration.openDuration = .milliseconds(1)
        let brief = try RemoteEmbedder(configuration: configuration)
        for _ in 0..<2 { _ = try? await brief.embed(["x"]) }
        guard case .open = await brief.breaker.state else {
            Issue.record("two failures did not open the breaker")
            return
        }
        healthy.withLockedValue { $0 = true }
        try await Task.sleep(for: .milliseconds(20))
        #expect(try await brief.embed(["xy"]) == [[2, 0, 0, 0]])
        #expect(await brief.breaker.state == .closed(failures: 0))
    }
}
