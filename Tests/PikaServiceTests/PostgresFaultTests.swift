import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PikaEmbeddings
import PikaMemory
import PikaService
import Testing

/// The service on PostgreSQL (jobs, keys, graph, summaries, audit) through a real socket, with the
/// PostgreSQL server stopped and started again under it.
///
/// The test starts its own PostgreSQL with `$PIKA_TEST_SERVICES start` in a new directory, so stopping
/// it does not disturb other suites that use the shared test server at the same time.
@Suite("Service on PostgreSQL: outage and recovery", .serialized)
struct PostgresFaultTests {
    @Test("PostgreSQL down: searches answer, writes get 503 unavailable, nothing is lost, it recovers without a restart")
    func outageAndRecovery() async throws {
        let services = try PrivateTestServices.start()
        defer { services.stop() }
        var configuration = ServiceConfiguration()
        configuration.dataDirectory = ServiceHarness.temporaryDirectory()
        configuration.port = 0
        configuration.bootstrapAPIKey = ServiceHarness.adminKey
        configuration.embedder = .hashing
        configuration.workers = 2
        configuration.rateLimit = 10_000
        configuration.postgresURL = services.postgresURL
        var logger = Logger(label: "pika-test")
        logger.logLevel = .critical
        let server = try await PikaServer.make(configuration: configuration, logger: logger, embedder: try HashingEmbedder())
        try await server.application.test(.live) { client in
            #expect(try await client.call(.get, "/readyz", key: nil).status == .ok)
            let accepted = try await client.call(.post, "/v1/memories", json: """
                {"messages":[{"role":"user","content":"I love dinosaurs. My sister is Lan."}],"user_id":"u1"}
                """)
            #expect(accepted.status == .accepted)
            let jobID = try #require(accepted["job_id"]?.stringValue ?? accepted["id"]?.stringValue)
            #expect(try await client.waitForJob(jobID)["status"]?.stringValue == "completed")
            let search = #"{"query":"dinosaurs","user_id":"u1","limit":3}"#

            try services.run("stop-postgres")
            let duringOutage = try await client.call(.post, "/v1/memories/search", json: search)
            #expect(duringOutage.status == .ok)
            #expect(duringOutage.results.first?["memory"]?.stringValue?.lowercased().contains("dinosaurs") == true)
            let write = try await client.call(.post, "/v1/memories", json: #"{"messages":"I like tea","user_id":"u1"}"#)
            #expect(write.status == .serviceUnavailable && write.code == "unavailable", "got \(write.status) \(write.text)")
            #expect(write.headers[.contentType] == "application/problem+json")
            let ready = try await client.call(.get, "/readyz", key: nil)
            #expect(ready.status == .serviceUnavailable && ready.text.contains("postgres"))

            try services.run("start-postgres")
            var recovered = false
            for _ in 0..<100 where !recovered {
                recovered = try await client.call(.get, "/readyz", key: nil).status == .ok
                if !recovered { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(recovered, "/readyz is ready again")
            #expect(try await client.call(.get, "/v1/jobs/\(jobID)")["status"]?.stringValue == "completed", "the job accepted before survived")
            let again = try await client.call(.post, "/v1/memories", json: #"{"messages":"I like green tea","user_id":"u1"}"#)
            #expect(again.status == .accepted)
            let againID = try #require(again["job_id"]?.stringValue ?? again["id"]?.stringValue)
            #expect(try await client.waitForJob(againID)["status"]?.stringValue == "completed")
            let after = try await client.call(.post, "/v1/memories/search", json: #"{"query":"tea","user_id":"u1","limit":3}"#)
            #expect(after.results.contains { $0["memory"]?.stringValue?.lowercased().contains("tea") == true })
            let before = try await client.call(.post, "/v1/memories/search", json: search)
            #expect(before.results.first?["memory"]?.stringValue?.lowercased().contains("dinosaurs") == true)
        }
    }
}

/// A PostgreSQL (and Redis) of this test's own, from scripts/test-services.sh, in a new directory.
struct PrivateTestServices {
    let script: String
    let directory: String
    let postgresURL: String

    /// Starts the servers; fails naming the script when `PIKA_TEST_SERVICES` is not set.
    static func start() throws -> PrivateTestServices {
        guard let script = ProcessInfo.processInfo.environment["PIKA_TEST_SERVICES"], !script.isEmpty else {
            throw MissingTestServices()
        }
        let output = try shell(script, ["start"], directory: nil)
        var exports: [String: String] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { exports[String(pair[0])] = String(pair[1]) }
        }
        guard let url = exports["PIKA_TEST_POSTGRES_URL"], let directory = exports["PIKA_TEST_SERVICES_DIR"] else {
            throw MissingTestServices()
        }
        return PrivateTestServices(script: script, directory: directory, postgresURL: url)
    }

    /// Runs a subcommand (`stop-postgres`, `start-postgres`…) on these servers.
    func run(_ command: String) throws { _ = try Self.shell(script, [command], directory: directory) }

    /// Stops both servers and removes their directory.
    func stop() { _ = try? Self.shell(script, ["stop"], directory: directory) }

    /// Runs the script and returns its standard output (posix_spawn + waitpid, blocking for the few seconds it takes):
    /// Foundation's `Process.waitUntilExit` did not return here once the script's servers were daemonised.
    private static func shell(_ script: String, _ arguments: [String], directory: String?) throws -> String {
        let outputPath = NSTemporaryDirectory() + "pika-test-services-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var environment = ProcessInfo.processInfo.environment
        environment["PIKA_TEST_SERVICES_DIR"] = directory
        let argv = ([script] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var pid: pid_t = 0
        guard posix_spawn(&pid, script, &actions, nil, argv, envp) == 0 else {
            throw ScriptFailed(arguments: arguments, status: -1)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let exitCode = (status >> 8) & 0xff
        guard status & 0x7f == 0, exitCode == 0 else { throw ScriptFailed(arguments: arguments, status: exitCode) }
        return String(decoding: FileManager.default.contents(atPath: outputPath) ?? Data(), as: UTF8.self)
    }
}

/// The test servers' script is not known.
struct MissingTestServices: Error, CustomStringConvertible {
    var description: String {
        "PIKA_TEST_SERVICES is not set: start the test servers with `eval \"$(scripts/test-services.sh start)\"` and run the tests again"
    }
}

/// scripts/test-services.sh failed.
struct ScriptFailed: Error {
    let arguments: [String]
    let status: Int32
}
