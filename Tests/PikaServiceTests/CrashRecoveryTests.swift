import Foundation
import PikaTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// The built `pika` binary, run as a server process.
final class ServerProcess: Sendable {
    let process: ChildProcess
    let port: Int
    let key = "crash-test-admin-key-0123456789"

    static var executable: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("pika").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("pika")
    }

    init(dataDirectory: String, port: Int, workers: Int, environment: [String: String] = [:]) throws {
        self.port = port
        process = try ChildProcess(
            name: "serve", executable: Self.executable.path,
            arguments: [
                "serve", "--data-dir", dataDirectory, "--port", String(port), "--embedder", "hashing",
                "--api-key", key, "--workers", String(workers),
            ],
            environment: ["PATH": "/usr/bin:/bin", "PIKA_LOG_LEVEL": "warning"].merging(environment) { $1 })
    }

    func request(_ method: String, _ path: String, body: String? = nil, key: String? = nil) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.setValue(key ?? self.key, forHTTPHeaderField: "X-API-Key")
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let json = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, json)
    }

    /// Runs `pika ARGS` (a command-line tool, not a server) to its end; its exit status and output
    /// (stdout and stderr).
    static func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        let child = try ChildProcess(
            name: arguments.first ?? "pika", executable: executable.path, arguments: arguments,
            environment: ["PATH": "/usr/bin:/bin", "PIKA_LOG_LEVEL": "error"].merging(environment) { $1 })
        try await child.waitForExit(within: .seconds(120))
        return (child.exitCode ?? -1, child.log)
    }

    func waitUntilReady() async throws {
        for _ in 0..<300 {
            if let (status, _) = try? await request("GET", "/readyz"), status == 200 { return }
            guard !process.hasExited else { throw ChildProcessFailure("pika serve exited before it was ready", child: process) }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ChildProcessFailure("pika serve was not ready within 15 s", child: process)
    }

    /// SIGKILL; the process's reaper thread collects it.
    func kill9() { process.kill9() }

    /// SIGKILL, then waits until it is gone (its port and files are free again).
    func kill9AndWait() async throws {
        process.kill9()
        try await process.waitForExit(within: .seconds(10))
    }
}

@Suite("Crash recovery through the real binary")
struct CrashRecoveryTests {
    @Test func queuedJobsSurviveKill9AndCompleteAfterRestart() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        // Ports from freeLoopbackPort (below the ephemeral range, checked free), a fresh one per start:
        // a random port collided with another test's server once ("Address already in use").
        // No workers: the accepted jobs stay queued in SQLite when the server is killed.
        let first = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 0)
        try await first.waitUntilReady()
        var jobs: [String] = []
        for name in ["Minh", "Anh", "Bao"] {
            let (status, reply) = try await first.request(
                "POST", "/extract_facts", body: #"{"messages":"My name is \#(name)","user_id":"u1"}"#)
            #expect(status == 202)
            jobs.append(try #require(reply["job_id"] as? String))
        }
        try await first.kill9AndWait()

        let second = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 2)
        defer { second.kill9() }
        try await second.waitUntilReady()
        for job in jobs {
            var status = ""
            for _ in 0..<200 {
                status = (try await second.request("GET", "/jobs/\(job)").1["status"] as? String) ?? ""
                if status == "completed" || status == "failed" { break }
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(status == "completed")
        }
        let (_, search) = try await second.request("POST", "/search_facts", body: #"{"query":"name","user_id":"u1"}"#)
        let results = search["results"] as? [[String: Any]] ?? []
        #expect(results.first?["memory"] as? String == "Name is Bao")
    }

    @Test func keysCreatedOfflineWorkOnTheServer() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        let create = try ChildProcess(
            name: "keys", executable: ServerProcess.executable.path,
            arguments: ["keys", "create", "--tenant", "acme", "--role", "read", "--data-dir", directory],
            environment: ["PATH": "/usr/bin:/bin", "PIKA_LOG_LEVEL": "error"])
        try await create.waitForExit(within: .seconds(60))
        #expect(create.exitCode == 0, "\(create.logTail)")
        // The key is the one JSON line it prints.
        let line = try #require(create.log.split(separator: "\n").last { $0.hasPrefix("{") }, "\(create.logTail)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let key = try #require(json["key"] as? String)
        #expect(json["tenant"] as? String == "acme" && json["role"] as? String == "read")
        let server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 1)
        defer { server.kill9() }
        try await server.waitUntilReady()
        let (status, _) = try await server.request("GET", "/v1/memories?user_id=u1", key: key)
        #expect(status == 200)
        let (denied, problem) = try await server.request("POST", "/v1/memories", body: #"{"messages":"x","user_id":"u1"}"#, key: key)
        #expect(denied == 403 && problem["code"] as? String == "forbidden")
    }

    @Test func unknownAndInvalidSettingsStopStartUp() async throws {
        let process = try ChildProcess(
            name: "serve", executable: ServerProcess.executable.path, arguments: ["serve", "--port", "99999", "--embedder", "bert"],
            environment: ["PIKA_BOGUS": "1", "PIKA_DATA_DIR": ServiceHarness.temporaryDirectory()])
        try await process.waitForExit(within: .seconds(60))
        let text = process.log
        #expect(process.exitCode == 2)
        for name in ["PIKA_BOGUS", "PIKA_PORT", "PIKA_EMBEDDER"] { #expect(text.contains(name), "\(text)") }
    }
}
