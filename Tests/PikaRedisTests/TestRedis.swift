import Foundation
import Logging
import PikaRedis

/// The shared throw-away Redis of `scripts/test-services.sh`. Tests that stop or pause a Redis use
/// their own (``PrivateTestServices``), so this one is always up.
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
}
