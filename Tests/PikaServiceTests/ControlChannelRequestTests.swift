import Foundation
import PikaTestSupport
import Testing

@testable import PikaService

#if canImport(Glibc)
    import Glibc
#endif

/// The control channel's client (``ControlChannel/post(_:body:timeout:client:)``, AsyncHTTPClient
/// underneath) against real sockets, and the CLI's answer to each way a request can go wrong.
@Suite("Control channel requests", .blockingWork, .timeLimit(.minutes(3)))
struct ControlChannelRequestTests {
    func channel(_ server: TestHTTPServer, key: String = "k0") -> ControlChannel {
        ControlChannel(url: "http://127.0.0.1:\(server.port)", key: key, pid: getpid())
    }

    @Test("a 200 answer's body comes back; the key travels as a bearer token")
    func answers() async throws {
        let server = try TestHTTPServer { _, _ in .respond(status: 200, body: #"{"ok":true}"#) }
        defer { server.stop() }
        let body = try await channel(server, key: "secret").post("/internal/v1/compact", body: Data("{}".utf8), timeout: .seconds(10))
        #expect(body == Data(#"{"ok":true}"#.utf8))
        let request = try #require(server.requests.first)
        #expect(request.method == "POST" && request.path == "/internal/v1/compact")
        #expect(request.headers["authorization"] == "Bearer secret" && request.headers["content-type"] == "application/json")
    }

    @Test("an error answer is a refusal carrying the problem's status, code and detail")
    func refusals() async throws {
        let server = try TestHTTPServer { _, ordinal in
            ordinal == 0
                ? .respond(
                    status: 409, body: #"{"code":"embedder_mismatch","detail":"the service embeds with hashing, not minilm","status":409}"#)
                : .respond(status: 502, body: "bad gateway")
        }
        defer { server.stop() }
        await #expect(
            throws: ControlChannel.RequestError.refused(
                status: 409, code: "embedder_mismatch", detail: "the service embeds with hashing, not minilm")
        ) {
            try await channel(server).post("/internal/v1/import", body: Data(), timeout: .seconds(10))
        }
        await #expect(throws: ControlChannel.RequestError.refused(status: 502, code: nil, detail: "bad gateway")) {
            try await channel(server).post("/internal/v1/import", body: Data(), timeout: .seconds(10))
        }
    }

    @Test("a service that does not answer in time is a timeout, to the millisecond; nobody listening is unreachable")
    func timeoutAndUnreachable() async throws {
        let server = try TestHTTPServer { _, _ in .stall(seconds: 30) }
        defer { server.stop() }
        await #expect(throws: ControlChannel.RequestError.timedOut(.milliseconds(300))) {
            try await channel(server).post("/internal/v1/compact", body: Data("{}".utf8), timeout: .milliseconds(300))
        }
        let nobody = ControlChannel(url: "http://127.0.0.1:\(try freeLoopbackPort())", key: "k", pid: getpid())
        let error = await #expect(throws: ControlChannel.RequestError.self) {
            try await nobody.post("/internal/v1/compact", body: Data("{}".utf8), timeout: .seconds(10))
        }
        guard case .unreachable? = error else {
            Issue.record("expected unreachable, got \(String(describing: error))")
            return
        }
    }

    /// Runs `pika ARGS`; returns its exit status and output.
    func pika(_ arguments: [String]) async throws -> (status: Int32, output: String) { try await ServerProcess.run(arguments) }

    @Test("the CLI exits 1 with the service's reason when the service refuses")
    func cliReportsARefusal() async throws {
        let server = try TestHTTPServer { _, _ in
            .respond(status: 500, body: #"{"code":"storage_error","detail":"disk full while sealing","status":500}"#)
        }
        defer { server.stop() }
        let directory = ServiceHarness.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try channel(server).publish(in: directory)
        let compact = try await pika(["index", "compact", "--data-dir", directory])
        #expect(compact.status == 1, "\(compact.output)")
        #expect(
            compact.output.contains("refused /internal/v1/compact (500 storage_error): disk full while sealing"), "\(compact.output)")
        #expect(server.requests.count == 1)
    }

    @Test("the control key is required; a stale control.json (the service was killed) sends the CLI to the directory itself")
    func keyAndStaleChannel() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        let server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 0)
        defer { server.kill9() }
        try await server.waitUntilReady()
        #expect(
            try await server.request(
                "POST", "/v1/memories", body: #"{"user_id":"u1","messages":"I keep bees","infer":false,"async":false}"#
            ).0 == 200)
        var channel = try #require(ControlChannel.read(in: directory))
        let live = try await pika(["index", "compact", "--data-dir", directory])
        // The service compacted: its answer has no `compact_s`, which only the offline path prints.
        #expect(live.status == 0 && live.output.contains("segments_after") && !live.output.contains("compact_s"), "\(live.output)")
        // An API key, or no key, is not the control key.
        #expect(try await server.request("POST", "/internal/v1/compact", body: "{}").0 == 403)
        channel.key = String(repeating: "0", count: 64)
        await #expect(throws: ControlChannel.RequestError.refused(status: 403, code: "forbidden", detail: "missing or wrong control key")) {
            try await channel.post("/internal/v1/compact", body: Data("{}".utf8), timeout: .seconds(10))
        }

        try await server.kill9AndWait()
        #expect(ControlChannel.read(in: directory) != nil)
        let offline = try await pika(["index", "compact", "--data-dir", directory])
        #expect(offline.status == 0 && offline.output.contains("compact_s"), "\(offline.output)")
    }
}
