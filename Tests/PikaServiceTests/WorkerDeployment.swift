import Foundation
import PikaMemory
import PikaPostgres
import PikaTestSupport
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `pika serve` and `pika worker` processes (the built binary) sharing one data directory and a fresh
/// database on the test PostgreSQL server (`PIKA_TEST_POSTGRES_URL`, from scripts/test-services.sh).
///
/// Every child is killed by ``stop()`` (tests call it in a `defer`), and the database is dropped.
final class WorkerDeployment: Sendable {
    static let key = "worker-test-admin-key-0123456789"
    let postgresURL: String
    let adminURL: String
    let databaseName: String
    let dataDirectory: String
    let port: Int
    private let children = Mutex<[ChildProcess]>([])

    /// Creates the database and the data directory; fails naming scripts/test-services.sh without PostgreSQL.
    static func make() async throws -> WorkerDeployment {
        guard let url = ProcessInfo.processInfo.environment["PIKA_TEST_POSTGRES_URL"], !url.isEmpty else {
            throw ChildProcessFailure(
                "PIKA_TEST_POSTGRES_URL is not set: start the test servers with `eval \"$(scripts/test-services.sh start)\"` and run the tests again"
            )
        }
        let name = "pika_w_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        _ = try await PostgresPool(configuration: PostgresConfiguration(url: url, poolSize: 1)).query("CREATE DATABASE \(name)")
        guard var components = URLComponents(string: url) else { throw ChildProcessFailure("PIKA_TEST_POSTGRES_URL '\(url)' is not a URL") }
        components.path = "/" + name
        return WorkerDeployment(
            postgresURL: components.string ?? url, adminURL: url, databaseName: String(name),
            dataDirectory: ServiceHarness.temporaryDirectory(), port: try freeLoopbackPort())
    }

    private init(postgresURL: String, adminURL: String, databaseName: String, dataDirectory: String, port: Int) {
        self.postgresURL = postgresURL
        self.adminURL = adminURL
        self.databaseName = databaseName
        self.dataDirectory = dataDirectory
        self.port = port
    }

    /// Settings every process shares: the data directory, the database, the hashing embedder.
    private func environment(_ extra: [String: String]) -> [String: String] {
        [
            "PATH": "/usr/bin:/bin", "PIKA_DATA_DIR": dataDirectory, "PIKA_POSTGRES_URL": postgresURL,
            "PIKA_EMBEDDER": "hashing", "PIKA_LOG_LEVEL": "debug",
        ].merging(extra) { $1 }
    }

    /// Starts `pika serve` with no job workers of its own and waits until `/readyz` answers 200.
    @discardableResult
    func startServe(_ extra: [String: String] = [:]) async throws -> ChildProcess {
        let serve = try spawn("serve", ["serve", "--port", String(port), "--api-key", Self.key, "--workers", "0"], extra)
        let deadline = ContinuousClock.now + .seconds(60)
        while (try? await call("GET", "/readyz"))?.status != 200 {
            guard !serve.hasExited else { throw ChildProcessFailure("pika serve exited during start-up", child: serve) }
            guard ContinuousClock.now < deadline else { throw ChildProcessFailure("pika serve not ready within 60 s", child: serve) }
            try await Task.sleep(for: .milliseconds(100))
        }
        return serve
    }

    /// Starts a `pika worker` process and waits until its workers run.
    func startWorker(_ name: String, _ extra: [String: String] = [:]) async throws -> ChildProcess {
        let worker = try spawn(name, ["worker", "--workers", "2"], extra)
        try await worker.waitForLog("pika worker running", within: .seconds(60))
        return worker
    }

    private func spawn(_ name: String, _ arguments: [String], _ extra: [String: String]) throws -> ChildProcess {
        let child = try ChildProcess(
            name: name, executable: ServerProcess.executable.path, arguments: arguments, environment: environment(extra))
        children.withLock { $0.append(child) }
        return child
    }

    /// Kills every child and drops the database.
    func stop() async {
        let all = children.withLock { $0 }
        for child in all { child.kill9() }
        for child in all { try? await child.waitForExit(within: .seconds(10)) }
        _ = try? await PostgresPool(configuration: PostgresConfiguration(url: adminURL, poolSize: 1))
            .query("DROP DATABASE IF EXISTS \(databaseName) WITH (FORCE)")
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// An HTTP request to `pika serve` through its socket with the admin key.
    func call(_ method: String, _ path: String, json: String? = nil) async throws -> (status: Int, json: JSONValue, text: String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.timeoutInterval = 10
        request.setValue(Self.key, forHTTPHeaderField: "X-API-Key")
        if let json {
            request.httpBody = Data(json.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let text = String(decoding: data, as: UTF8.self)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, (try? JSONReader.parse(data)) ?? .null, text)
    }

    /// Submits an asynchronous add and returns its job id.
    func submit(_ message: String, user: String) async throws -> String {
        let reply = try await call("POST", "/v1/memories", json: #"{"messages":"\#(message)","user_id":"\#(user)","async":true}"#)
        guard reply.status == 202, let id = reply.json["job_id"]?.stringValue else {
            throw ChildProcessFailure("POST /v1/memories answered \(reply.status): \(reply.text)")
        }
        return id
    }

    /// Polls a job through `pika serve` until it is completed or failed; fails after `timeout`.
    func waitForJob(_ id: String, within timeout: Duration) async throws -> JSONValue {
        let deadline = ContinuousClock.now + timeout
        while true {
            let job = try await call("GET", "/v1/jobs/\(id)").json
            if let status = job["status"]?.stringValue, status == "completed" || status == "failed" { return job }
            guard ContinuousClock.now < deadline else {
                throw ChildProcessFailure(
                    "job \(id) not finished within \(timeout): \(job)\n"
                        + children.withLock { all in
                            all.map { "--- \($0.name) ---\n\($0.logTail)" }.joined(separator: "\n")
                        })
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, read back, closed).
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ChildProcessFailure("socket() failed: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw ChildProcessFailure("bind/getsockname on 127.0.0.1 failed: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
