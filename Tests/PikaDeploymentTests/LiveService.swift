import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PikaEmbeddings
import PikaMemory
import PikaService

/// The real service on a loopback socket (fresh data directory, hashing embedder), used the way an
/// operator's clients use it, so that /metrics holds every series a dashboard can ask for.
enum LiveService {
    static let adminKey = "deploy-test-admin-key-0123456789"

    /// What one exercised service answered.
    struct Observation: Sendable {
        /// Every route the router serves, as `METHOD /path`.
        var routes: [String]
        /// Status of `GET path` for each probe path asked.
        var probeStatuses: [String: Int]
        /// The last `/metrics` body.
        var metricsText: String
    }

    /// Starts the service, drives every kind of request through it, and scrapes /metrics.
    static func observe(probePaths: [String]) async throws -> Observation {
        let directory = NSTemporaryDirectory() + "pika-deploy-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ServiceConfiguration()
        configuration.dataDirectory = directory
        configuration.port = 0
        configuration.bootstrapAPIKey = adminKey
        configuration.embedder = .hashing
        configuration.workers = 2
        var logger = Logger(label: "pika-deploy-test")
        logger.logLevel = .warning
        let server = try await PikaServer.make(configuration: configuration, logger: logger, embedder: try HashingEmbedder())
        let routes = server.routes
        return try await server.application.test(.live) { client in
            var probes: [String: Int] = [:]
            for path in probePaths { probes[path] = try await client.send(.get, path, key: nil).status }
            try await exercise(client)
            _ = try await client.send(.get, "/metrics", key: nil)  // job gauges are read at scrape time
            let metrics = try await client.send(.get, "/metrics", key: nil)
            return Observation(routes: routes, probeStatuses: probes, metricsText: metrics.body)
        }
    }

    /// Writes (sync and queued), searches (repeated, paraphrased, about favourites), graph and history reads.
    private static func exercise(_ client: some TestClientProtocol) async throws {
        let sync = try await client.send(
            .post, "/v1/memories",
            json: """
                {"user_id":"minh","messages":[{"role":"user","content":"My name is Minh. My favourite animal is the dinosaur. I live in Hanoi."}],"async":false}
                """)
        guard sync.status == 200 else { throw Failure("sync add answered \(sync.status): \(sync.body)") }
        let queued = try await client.send(
            .post, "/extract_facts",
            json: """
                {"user_id":"minh","messages":[{"role":"user","content":"My favourite colour is green. I have a dog named Max."}]}
                """)
        guard queued.status == 202, let job = queued.json["job_id"]?.stringValue else {
            throw Failure("queued add answered \(queued.status): \(queued.body)")
        }
        try await waitForJob(job, client)
        for query in [
            "what animal does he like?", "what animal does he like?", "which animal does Minh love",
            "what is my favourite colour?", "what are my favourites?",
        ] {
            for path in ["/search_facts", "/v1/memories/search"] {
                let reply = try await client.send(.post, path, json: #"{"user_id":"minh","query":"\#(query)"}"#)
                guard reply.status == 200 else { throw Failure("\(path) answered \(reply.status): \(reply.body)") }
            }
        }
        _ = try await client.send(.get, "/v1/users/minh/graph")
        _ = try await client.send(.get, "/v1/memories?user_id=minh")
        _ = try await client.send(.get, "/v1/memories/00000000-0000-0000-0000-000000000000")  // a 404
    }

    private static func waitForJob(_ id: String, _ client: some TestClientProtocol) async throws {
        for _ in 0..<500 {
            let status = try await client.send(.get, "/v1/jobs/\(id)").json["status"]?.stringValue
            if status == "completed" { return }
            if status == "failed" { throw Failure("job \(id) failed") }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw Failure("job \(id) did not finish in 5 s")
    }
}

/// A reply: status, body, body as JSON.
struct Reply: Sendable {
    var status: Int
    var body: String
    var json: JSONValue
}

extension TestClientProtocol {
    /// Sends a request with the admin key (unless `key` is nil) and an optional JSON body.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = LiveService.adminKey, json: String? = nil
    )
        async throws -> Reply
    {
        var headers = HTTPFields()
        if let key { headers[.init("X-API-Key")!] = key }
        if json != nil { headers[.contentType] = "application/json" }
        let response = try await executeRequest(uri: uri, method: method, headers: headers, body: json.map { ByteBuffer(string: $0) })
        let body = String(buffer: response.body)
        let value = (try? JSONReader.parse(body)) ?? .null
        return Reply(status: response.status.code, body: body, json: value)
    }
}

/// The sample names and label sets of a Prometheus text exposition.
struct MetricsExposition {
    /// Every sample: name and its labels.
    var samples: [(name: String, labels: [String: String])] = []

    /// Parses `text` (comment lines skipped).
    init(_ text: String) {
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let head = line.split(separator: " ").first.map(String.init) ?? ""
            guard let brace = head.firstIndex(of: "{") else {
                samples.append((head, [:]))
                continue
            }
            var labels: [String: String] = [:]
            let inner = head[head.index(after: brace)...].dropLast()
            for pair in inner.split(separator: ",") {
                let kv = pair.split(separator: "=", maxSplits: 1)
                if kv.count == 2 { labels[String(kv[0])] = kv[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
            samples.append((String(head[..<brace]), labels))
        }
    }

    /// Every sample name.
    var names: Set<String> { Set(samples.map(\.name)) }

    /// The values of `label` over the samples of `name`.
    func values(of label: String, in name: String) -> Set<String> {
        Set(samples.filter { $0.name == name }.compactMap { $0.labels[label] })
    }
}
