import Foundation
import Logging
import PikaRedis
import PikaTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite("hiredis wrapper against a real Redis", .serialized, .timeLimit(.minutes(2)))
struct RedisClientTests {
    private func key(_ name: String) -> String { "pika-test:\(name):\(UUID().uuidString)" }

    @Test func binarySafeValuesAndKeysRoundTrip() async throws {
        let redis = try TestRedis.client()
        let value = (0...255).map(UInt8.init) + [0, 0, 13, 10]
        let weird = key("a key with spaces\r\n and \0 nul")
        // An hour: on a loaded machine this test has waited over 30 s between two of its calls.
        #expect(try await redis.execute(.set(weird, value, ttl: .seconds(3600))) == .status("OK"))
        #expect(try await redis.execute(RedisCommand("GET", weird)).bytes() == value)
        #expect(try await redis.execute(RedisCommand("PTTL", weird)).integer() > 0)
        #expect(try await redis.execute(.set(weird, [])) == .status("OK"))
        #expect(try await redis.execute(RedisCommand("GET", weird)).bytes() == [])
        #expect(try await redis.execute(RedisCommand("GET", key("missing"))) == .null)
    }

    @Test func pipelineKeepsOrderAndIsolatesErrorReplies() async throws {
        let redis = try TestRedis.client()
        let counter = key("counter")
        let text = key("text")
        let replies = try await redis.pipeline([
            RedisCommand("INCR", counter), RedisCommand("SET", text, "abc"), RedisCommand("INCR", text),
            RedisCommand("INCR", counter), RedisCommand("MGET", counter, text, key("none")),
        ])
        #expect(replies[0] == .integer(1) && replies[1] == .status("OK") && replies[3] == .integer(2))
        guard case .error(let message) = replies[2] else {
            Issue.record("expected an error reply")
            return
        }
        #expect(message.contains("not an integer"))
        #expect(replies[4] == .array([.bulk(Array("2".utf8)), .bulk(Array("abc".utf8)), .null]))
        #expect(throws: RedisError.self) { try replies[2].checked() }
        // The error reply left the connection usable.
        #expect(try await redis.execute(RedisCommand("DEL", counter, text)).integer() == 2)
        let many = try await redis.pipeline((0..<500).map { RedisCommand("ECHO", "\($0)") })
        #expect(many.count == 500 && many[499] == .bulk(Array("499".utf8)))
    }

    @Test func concurrentCallersShareThePool() async throws {
        let redis = try TestRedis.client { $0.poolSize = 3 }
        let counter = key("concurrent")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<200 { group.addTask { _ = try await redis.execute(RedisCommand("INCR", counter)) } }
            try await group.waitForAll()
        }
        #expect(try await redis.execute(RedisCommand("GET", counter)).string() == "200")
    }

    @Test func urlsParse() throws {
        let full = try RedisConfiguration(url: "redis://:s3cret@cache.internal:6380/2")
        #expect(full.host == "cache.internal" && full.port == 6380 && full.password == "s3cret" && full.database == 2)
        let plain = try RedisConfiguration(url: "redis://127.0.0.1")
        #expect(plain.port == 6379 && plain.password == nil && plain.database == 0)
        for bad in ["rediss://h:1", "http://h", "redis://", "redis://h:1/x"] {
            #expect(throws: RedisError.self, "\(bad)") { try RedisConfiguration(url: bad) }
        }
    }

    @Test func wrongPasswordAndNothingListeningAreConnectionFailures() async throws {
        var configuration = try TestRedis.configuration()
        configuration.password = "not-the-password"
        #expect(throws: RedisError.self) { _ = try RedisConnection(configuration) }
        let closed = try SilentServer.unusedPort()
        let redis = try TestRedis.client {
            $0.port = closed
            $0.retryInterval = .seconds(30)
        }
        do {
            _ = try await redis.execute(RedisCommand("PING"))
            Issue.record("PING to a closed port answered")
        } catch {
            #expect(error.code == .connectionFailed)
        }
        // Within the retry interval calls fail fast without touching the network: unavailable, not
        // another connection failure.
        #expect(redis.isFailingFast)
        do {
            _ = try await redis.execute(RedisCommand("PING"))
            Issue.record("PING within the retry interval answered")
        } catch {
            #expect(error.code == .unavailable)
        }
    }

    @Test func aServerThatNeverAnswersTimesOutAndThenFailsFast() async throws {
        let silent = try SilentServer()
        defer { silent.close() }
        // A retry interval no scheduling delay can outlast: the second call is inside it on any machine.
        let redis = try TestRedis.client {
            $0.port = silent.port
            $0.commandTimeout = .milliseconds(100)
            $0.retryInterval = .seconds(60)
        }
        do {
            _ = try await redis.execute(RedisCommand("GET", "x"))
            Issue.record("a silent server answered")
        } catch {
            #expect(error.code == .timeout)
        }
        for _ in 0..<3 {
            do {
                _ = try await redis.execute(RedisCommand("GET", "x"))
                Issue.record("a failing-fast client answered")
            } catch {
                #expect(error.code == .unavailable, "within the retry interval a call fails fast, without another timeout")
            }
        }
        #expect(redis.isFailingFast)
    }

    @Test func failingFastEndsWhenTheRetryIntervalHasPassed() async throws {
        let silent = try SilentServer()
        defer { silent.close() }
        let redis = try TestRedis.client {
            $0.port = silent.port
            $0.commandTimeout = .milliseconds(100)
            $0.retryInterval = .milliseconds(200)
        }
        await #expect(throws: RedisError.self) { _ = try await redis.execute(RedisCommand("GET", "x")) }
        // A sleep never ends early, so the interval has passed whatever the machine's load.
        try await Task.sleep(for: .milliseconds(250))
        #expect(!redis.isFailingFast)
        do {
            _ = try await redis.execute(RedisCommand("GET", "x"))
            Issue.record("a silent server answered")
        } catch {
            #expect(error.code == .timeout, "after the interval the client tries the server again")
        }
    }

    /// Stops and restarts a Redis of this test's own (the shared one serves other suites meanwhile).
    @Test func reconnectsByItselfWhenRedisComesBack() async throws {
        try await PrivateTestServices.with { services in
            var configuration = try RedisConfiguration(url: services.redisURL)
            configuration.poolSize = 2
            configuration.retryInterval = .milliseconds(100)
            let redis = RedisClient(configuration: configuration, logger: Logger(label: "redis-test"))
            #expect(try await redis.execute(RedisCommand("PING")) == .status("PONG"))
            try await services.run("stop-redis")
            var failures = 0
            for _ in 0..<4 {
                do { _ = try await redis.execute(RedisCommand("PING")) } catch { failures += 1 }
            }
            #expect(failures == 4)
            try await services.run("start-redis")
            var answered = false
            for _ in 0..<1200 where !answered {
                answered = (try? await redis.execute(RedisCommand("PING"))) == .status("PONG")
                if !answered { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(answered)
            // Every lane reconnected, not just the first.
            for _ in 0..<4 { #expect(try await redis.execute(RedisCommand("PING")) == .status("PONG")) }
        }
    }
}

/// A TCP listener that accepts connections (the kernel does, into its backlog) and never answers:
/// a hung Redis.
final class SilentServer: Sendable {
    let port: Int
    private let fd: Int32

    init() throws {
        (fd, port) = try Self.listen()
    }

    func close() { _ = Glibc.close(fd) }

    /// A loopback port nothing listens on (bound, then released).
    static func unusedPort() throws -> Int {
        let (fd, port) = try listen()
        _ = Glibc.close(fd)
        return port
    }

    private static func listen() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard fd >= 0, bound == 0, Glibc.listen(fd, 16) == 0 else { throw RedisError(.io, "cannot listen") }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
