import Foundation
import PikaEmbeddings
import PikaTestSupport
import Testing

@Suite("Provider HTTP client against a real HTTP server", .timeLimit(.minutes(2)))
struct OutboundHTTPClientTests {
    @Test("POSTs the JSON with its bearer and returns status and body")
    func postsJSON() async throws {
        let server = try TestHTTPServer { _, _ in .respond(status: 201, body: #"{"ok":true}"#) }
        defer { server.stop() }
        let answer = try await OutboundHTTPClient.shared.postJSON(
            server.baseURL.appendingPathComponent("embeddings"), body: Data(#"{"input":["a"]}"#.utf8), bearer: "sk-test",
            timeout: .seconds(10))
        #expect(answer.status == 201 && answer.body == Data(#"{"ok":true}"#.utf8))
        let request = try #require(server.requests.first)
        #expect(request.method == "POST" && request.path == "/v1/embeddings")
        #expect(request.headers["content-type"] == "application/json" && request.headers["authorization"] == "Bearer sk-test")
        #expect(request.body == Data(#"{"input":["a"]}"#.utf8))
    }

    @Test("a deadline of a fraction of a second ends a request the server never answers")
    func subSecondDeadline() async throws {
        // The server would hold the request for 30 s: only the client's 200 ms deadline can end it
        // (URLSession on Linux rounded such a fraction down to an immediate timeout).
        let server = try TestHTTPServer { _, _ in .stall(seconds: 30) }
        defer { server.stop() }
        await #expect(throws: ProviderHTTPError.timedOut(.milliseconds(200))) {
            try await OutboundHTTPClient.shared.postJSON(server.baseURL, body: Data("{}".utf8), bearer: nil, timeout: .milliseconds(200))
        }
        #expect(server.requests.count == 1)
    }

    @Test("cancelling the calling task cancels the request")
    func cancellation() async throws {
        let server = try TestHTTPServer { _, _ in .stall(seconds: 30) }
        defer { server.stop() }
        let call = Task {
            try await OutboundHTTPClient.shared.postJSON(server.baseURL, body: Data("{}".utf8), bearer: nil, timeout: .seconds(60))
        }
        while server.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        call.cancel()
        await #expect(throws: ProviderHTTPError.cancelled) { try await call.value }
    }

    @Test("a client shut down by its owner refuses requests; the process's shared client cannot be shut down")
    func shutdown() async throws {
        let server = try TestHTTPServer { _, _ in .respond(status: 200, body: "{}") }
        defer { server.stop() }
        let owned = OutboundHTTPClient()
        #expect(try await owned.postJSON(server.baseURL, body: Data(), bearer: nil, timeout: .seconds(10)).status == 200)
        try await owned.shutdown()
        let refused = await #expect(throws: ProviderHTTPError.self) {
            try await owned.postJSON(server.baseURL, body: Data(), bearer: nil, timeout: .seconds(10))
        }
        guard case .transport(_)? = refused else {
            Issue.record("expected a transport error, got \(String(describing: refused))")
            return
        }
        try await OutboundHTTPClient.shared.shutdown()
        #expect(
            try await OutboundHTTPClient.shared.postJSON(server.baseURL, body: Data(), bearer: nil, timeout: .seconds(10)).status == 200)
    }
}
