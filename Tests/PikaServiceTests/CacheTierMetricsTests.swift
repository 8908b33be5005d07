import Foundation
import HummingbirdTesting
import Logging
import PikaMemory
import PikaRedis
import PikaTestSupport
import Testing

/// Per-tier hit/miss counters, and searches while Redis is down or hung.
@Suite("Cache tier counters and Redis faults", .serialized)
struct CacheTierMetricsTests {
    @Test(arguments: CacheSetup.allCases)
    func everyTierIsExportedFromTheFirstScrapeAndCountsItsLookups(setup: CacheSetup) async throws {
        try await setup.run { client in
            let first = try await client.call(.get, "/metrics", key: nil).text
            for layer in CacheLayer.allCases.map(\.rawValue) {
                for series in ["cache_hits_total", "cache_misses_total", "cache_hit_rate", "cache_errors_total"] {
                    #expect(first.contains("\(series){layer=\"\(layer)\"}"), "\(series){layer=\(layer)} missing")
                }
            }
            let user = "m-\(UUID().uuidString.prefix(8))"
            try await client.addSync("I love dinosaurs", user: user)
            let before = try await counts(client)

            let query = "dinosaurs \(user)"  // a query of its own: L3 is shared with other tests in Redis
            #expect(try await client.search(query, user: user).tier == "engine")
            var now = try await counts(client)
            #expect(now["l0 misses"]! - before["l0 misses"]! == 1 && now["l1 misses"]! - before["l1 misses"]! == 1)
            #expect(now["l3 misses"]! - before["l3 misses"]! == 1 && now["l3 hits"] == before["l3 hits"])

            #expect(try await client.search(query, user: user).tier == "l0")
            now = try await counts(client)
            #expect(now["l0 hits"]! - before["l0 hits"]! == 1)

            // Another limit is another answer (engine) but the same query embedding (L3 hit).
            #expect(try await client.search(query, user: user, limit: 3).tier == "engine")
            now = try await counts(client)
            #expect(now["l3 hits"]! - before["l3 hits"]! == 1 && now["l1 misses"]! - before["l1 misses"]! == 2)
            #expect(try await client.metric("search_answers_total{source=\"l0\"}") >= 1)
            #expect(try await client.metric("cache_hit_rate{layer=\"l0\"}") > 0)
        }
    }

    @Test func aSecondProcessFindsTheFirstOnesAnswersInRedis() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        let user = "shared-\(UUID().uuidString.prefix(8))"
        try await CacheSetup.redis.run(dataDirectory: directory) { client in
            try await client.addSync("I love dinosaurs", user: user)
            #expect(try await client.search("dinosaurs", user: user).tier == "engine")
        }
        // A new service instance (empty L0) on the same data and the same Redis.
        try await CacheSetup.redis.run(dataDirectory: directory) { client in
            let again = try await client.search("dinosaurs", user: user)
            #expect(again.tier == "l1" && again.memories == ["Loves dinosaurs"])
            #expect(try await client.cacheCount("hits", "l1") == 1)
        }
    }

    @Test func redisDownSearchesAnswerFromTheEngineAndTheServiceReconnects() async throws {
        try await withRedisToBreak { client, services in
            let user = "down-\(UUID().uuidString.prefix(8))"
            try await client.addSync("I love dinosaurs", user: user)
            _ = try await client.search("dinosaurs", user: user)
            #expect(try await client.search("dinosaurs", user: user).tier == "l0")
            let id = try #require(try await client.search("dinosaurs", user: user).reply.results.first?["id"]?.stringValue)

            try await services.run("stop-redis")
            let down = try await client.search("dinosaurs", user: user)
            #expect(down.reply.status == .ok && down.tier == "engine" && down.memories == ["Loves dinosaurs"])
            #expect(try await client.cacheCount("errors", "l1") >= 1)
            #expect(try await client.cacheCount("errors", "l3") >= 1)
            // A write while Redis is down: its version bump waits, and no tier serves from before it.
            #expect(try await client.call(.put, "/v1/memories/\(id)", json: #"{"text":"Loves sharks"}"#).status == .ok)
            #expect(try await client.search("dinosaurs", user: user).memories == ["Loves sharks"])

            try await services.run("start-redis")
            var tier = "engine"
            var found: [String] = []
            for _ in 0..<1200 where tier == "engine" {
                (_, tier, found) = try await client.search("dinosaurs", user: user)
                #expect(found == ["Loves sharks"])
                if tier == "engine" { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(tier == "l0", "the tiers never came back after Redis restarted")
        }
    }

    /// That each lookup costs at most one timeout per retry interval (then fails fast) is the Redis
    /// client's behaviour, tested without wall-clock bounds in RedisClientTests; here: the service
    /// answers every search from the engine while Redis hangs, and counts each skipped lookup.
    @Test func aRedisThatStopsAnsweringLeavesSearchesToTheEngine() async throws {
        try await withRedisToBreak { client, services in
            let user = "slow-\(UUID().uuidString.prefix(8))"
            try await client.addSync("I love dinosaurs", user: user)
            #expect(try await client.search("dinosaurs", user: user).tier == "engine")
            // CLIENT PAUSE: Redis keeps connections open and answers nobody for 3 s.
            let admin = RedisClient(configuration: try RedisConfiguration(url: services.redisURL), logger: Logger(label: "test"))
            try await admin.execute(RedisCommand("CLIENT", "PAUSE", "3000")).checked()
            let errorsBefore = try await client.cacheCount("errors", "l1")
            for _ in 0..<5 {
                let reply = try await client.search("dinosaurs", user: user)
                #expect(reply.reply.status == .ok && reply.tier == "engine" && reply.memories == ["Loves dinosaurs"])
            }
            #expect(try await client.cacheCount("errors", "l1") - errorsBefore >= 5, "every search's L1 lookup failed or was skipped")
            try await Task.sleep(for: .seconds(3))
        }
    }

    /// Runs the service on a Redis of this test's own, which the body may stop, restart or pause
    /// without disturbing the suites that share the test Redis.
    private func withRedisToBreak(
        _ body: @escaping @Sendable (any TestClientProtocol, PrivateTestServices) async throws -> Void
    ) async throws {
        try await PrivateTestServices.with { services in
            try await ServiceHarness.run(configure: { $0.redisURL = services.redisURL }) { client in try await body(client, services) }
        }
    }

    private func counts(_ client: some TestClientProtocol) async throws -> [String: Double] {
        var result: [String: Double] = [:]
        for layer in ["l0", "l1", "l3"] {
            for kind in ["hits", "misses"] { result["\(layer) \(kind)"] = try await client.cacheCount(kind, layer) }
        }
        return result
    }
}
