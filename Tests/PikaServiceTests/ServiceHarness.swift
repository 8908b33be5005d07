import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PikaEmbeddings
import PikaMemory
import PikaService

/// Starts the real service on a loopback socket with a fresh data directory and the hashing embedder.
enum ServiceHarness {
    static let adminKey = "test-admin-key-0123456789abcdef"

    static func temporaryDirectory() -> String {
        let path = NSTemporaryDirectory() + "pika-svc-test-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The test settings: a loopback port picked by the system, the admin key, the hashing embedder.
    static func configuration(
        dataDirectory: String = temporaryDirectory(), workers: Int = 2, rateLimit: Double = 10_000
    )
        -> ServiceConfiguration
    {
        var configuration = ServiceConfiguration()
        configuration.dataDirectory = dataDirectory
        configuration.port = 0
        configuration.bootstrapAPIKey = adminKey
        configuration.embedder = .hashing
        configuration.workers = workers
        configuration.rateLimit = rateLimit
        // Tests check which tier answers two searches in a row; on a loaded machine more than L0's
        // 10 s can pass between them, so L0 keeps answers for the length of a test.
        configuration.tiers.l0TTL = .seconds(600)
        return configuration
    }

    static func run<T: Sendable>(
        dataDirectory: String = temporaryDirectory(), workers: Int = 2, rateLimit: Double = 10_000,
        embedder: (any Embedder)? = nil, extractor: (any FactExtractor)? = nil,
        configure: (inout ServiceConfiguration) -> Void = { _ in },
        _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        var configuration = configuration(dataDirectory: dataDirectory, workers: workers, rateLimit: rateLimit)
        configure(&configuration)
        var logger = Logger(label: "pika-test")
        logger.logLevel = .warning
        let server = try await PikaServer.make(
            configuration: configuration, logger: logger, embedder: try embedder ?? HashingEmbedder(), extractor: extractor)
        return try await server.application.test(.live, body)
    }
}

/// A parsed response.
struct Reply: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let text: String
    let json: JSONValue

    subscript(_ key: String) -> JSONValue? { json.objectValue?[key] }
    var code: String? { self["code"]?.stringValue }
    var results: [JSONValue] { self["results"]?.arrayValue ?? [] }
}

extension TestClientProtocol {
    /// Sends a request with the admin key (or `key`), a JSON (or raw) body, and parses the reply.
    func call(
        _ method: HTTPRequest.Method, _ uri: String, key: String? = ServiceHarness.adminKey, json: String? = nil,
        bytes: [UInt8]? = nil, headers extra: HTTPFields = [:]
    ) async throws -> Reply {
        var headers = extra
        if let key { headers[.init("X-API-Key")!] = key }
        var body: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            body = ByteBuffer(string: json)
        } else if let bytes {
            body = ByteBuffer(bytes: bytes)
        }
        let response = try await executeRequest(uri: uri, method: method, headers: headers, body: body)
        let text = String(buffer: response.body)
        let json = (try? JSONReader.parse(text)) ?? .null
        return Reply(status: response.status, headers: response.headers, text: text, json: json)
    }

    /// Polls a job until it is completed or failed.
    func waitForJob(_ id: String, key: String = ServiceHarness.adminKey) async throws -> Reply {
        for _ in 0..<400 {
            let reply = try await call(.get, "/v1/jobs/\(id)", key: key)
            if let status = reply["status"]?.stringValue, status == "completed" || status == "failed" { return reply }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw CancellationError()
    }
}

extension JSONValue {
    subscript(_ key: String) -> JSONValue? { objectValue?[key] }
}
