import Foundation
import Logging
import PikaRedis
#if canImport(Glibc)
import Glibc
#endif

/// The throw-away Redis of `scripts/test-services.sh`, and a cross-suite lock: tests that stop the
/// server hold it exclusively, tests that need the server up hold it shared (suites of other test
/// targets run in parallel in the same process, so `.serialized` alone cannot order them).
enum TestRedis {
    struct Missing: Error, CustomStringConvertible {
        let description = "PIKA_TEST_REDIS_URL is not set: run eval \"$(scripts/test-services.sh start)\" first"
    }

    static func configuration() throws -> RedisConfiguration {
        guard let url = ProcessInfo.processInfo.environment["PIKA_TEST_REDIS_URL"] else { throw Missing() }
        return try RedisConfiguration(url: url)
    }

    static func client(_ configure: (inout RedisConfiguration) -> Void = { _ in }) throws -> RedisClient {
        var configuration = try configuration()
        configure(&configuration)
        return RedisClient(configuration: configuration, logger: Logger(label: "redis-test"))
    }

    /// Runs `$PIKA_TEST_SERVICES <command>` (stop-redis, start-redis).
    static func services(_ command: String) throws {
        guard let script = ProcessInfo.processInfo.environment["PIKA_TEST_SERVICES"] else { throw Missing() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: script)
        process.arguments = [command]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw RedisError(.io, "\(script) \(command) failed") }
    }

    /// Runs `body` holding the Redis lock (`exclusive` to stop and start the server).
    static func locked<T>(exclusive: Bool, _ body: () async throws -> T) async throws -> T {
        let directory = ProcessInfo.processInfo.environment["PIKA_TEST_SERVICES_DIR"] ?? NSTemporaryDirectory()
        let fd = open(directory + "/redis-tests.lock", O_CREAT | O_RDWR, 0o644)
        guard fd >= 0 else { throw RedisError(.io, "cannot open the redis test lock") }
        defer { close(fd) }
        while flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 { try await Task.sleep(for: .milliseconds(20)) }
        defer { flock(fd, LOCK_UN) }
        return try await body()
    }
}
