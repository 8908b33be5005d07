import Foundation
import Hummingbird
import HummingbirdTesting
import PikaMemory
import PikaService

/// The two cache configurations the tier tests run in, and helpers to read the tiers' behaviour.
enum CacheSetup: String, CaseIterable, Sendable, CustomStringConvertible {
    /// No Redis: L0, L1, L3 and version tags in-process.
    case embedded
    /// `PIKA_REDIS_URL` = the test Redis: L1, L3 and version tags there.
    case redis

    var description: String { rawValue }

    struct MissingRedis: Error, CustomStringConvertible {
        let description = "PIKA_TEST_REDIS_URL is not set: run eval \"$(scripts/test-services.sh start)\" first"
    }

    static var redisURL: String {
        get throws {
            guard let url = ProcessInfo.processInfo.environment["PIKA_TEST_REDIS_URL"] else { throw MissingRedis() }
            return url
        }
    }

    /// Runs the service in this setup (fast summary refresh, so L2 rebuilds are seen within a test).
    func run<T: Sendable>(
        dataDirectory: String = ServiceHarness.temporaryDirectory(), redisURL: String? = nil,
        _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        let url = self == .redis ? try redisURL ?? Self.redisURL : nil
        return try await ServiceHarness.run(dataDirectory: dataDirectory, configure: { $0.redisURL = url }, body)
    }
}

extension TestClientProtocol {
    /// Searches `user`'s memories; returns the reply and the tier that answered (`X-Pika-Cache`).
    func search(_ query: String, user: String = "u1", limit: Int = 10) async throws -> (reply: Reply, tier: String, memories: [String]) {
        let body = try JSONEncoder().encode(["query": JSONValue.string(query), "user_id": .string(user), "limit": .number(Double(limit))])
        let reply = try await call(.post, "/search_facts", json: String(decoding: body, as: UTF8.self))
        let tier = reply.headers[.init("X-Pika-Cache")!] ?? "?"
        return (reply, tier, reply.results.compactMap { $0["memory"]?.stringValue })
    }

    /// `cache_<kind>_total{layer="<layer>"}` (kind: hits, misses, errors) from `/metrics`.
    func cacheCount(_ kind: String, _ layer: String) async throws -> Double {
        try await metric("cache_\(kind)_total{layer=\"\(layer)\"}")
    }

    /// The value of the series `name{labels}` in `/metrics` (0 when absent).
    func metric(_ series: String) async throws -> Double {
        let text = try await call(.get, "/metrics", key: nil).text
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ").last ?? "") ?? 0
        }
        return 0
    }

    /// Adds `text` to `user` synchronously.
    @discardableResult
    func addSync(_ text: String, user: String = "u1") async throws -> Reply {
        let body = try JSONEncoder().encode(["messages": JSONValue.string(text), "user_id": .string(user), "async": .bool(false)])
        return try await call(.post, "/v1/memories", json: String(decoding: body, as: UTF8.self))
    }
}
