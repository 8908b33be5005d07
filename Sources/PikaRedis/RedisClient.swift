import Dispatch
import Logging
import PikaEngine
import Synchronization

/// A pool of Redis connections for async callers.
///
/// Each connection lives on its own serial `DispatchQueue` (a "lane"), so hiredis's blocking calls
/// never run on Swift's cooperative pool; callers `await` the reply. Calls are spread over the lanes
/// round-robin. A lane that lost its connection makes a new one on its next call, so the client
/// reconnects by itself when Redis comes back. After a connection failure or a timeout the client
/// fails fast (``RedisError/Code/unavailable``) for ``RedisConfiguration/retryInterval``, then lets
/// calls try again: a dead or hung Redis costs a caller nothing instead of a timeout each time.
public final class RedisClient: Sendable {
    /// The settings.
    public let configuration: RedisConfiguration
    private let lanes: [Lane]
    private let nextLane = Atomic<Int>(0)
    /// Monotonic nanoseconds before which calls fail fast (0: Redis is believed healthy).
    private let failFastUntil = Atomic<UInt64>(0)
    private let logger: Logger

    /// Creates the pool; connections are made on first use.
    public init(configuration: RedisConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        lanes = (0..<max(1, configuration.poolSize)).map { Lane(label: "pika.redis.\($0)") }
    }

    /// Runs one command.
    public func execute(_ command: RedisCommand) async throws(RedisError) -> RedisReply {
        try await pipeline([command])[0]
    }

    /// Runs the commands in one round trip on one connection; replies in command order.
    public func pipeline(_ commands: [RedisCommand]) async throws(RedisError) -> [RedisReply] {
        try checkAvailable()
        let lane = lanes[nextLane.wrappingAdd(1, ordering: .relaxed).oldValue % lanes.count]
        let result: Result<[RedisReply], RedisError> = await withCheckedContinuation { continuation in
            lane.queue.async {
                continuation.resume(returning: self.run(commands, on: lane))
            }
        }
        return try result.get()
    }

    /// Whether calls are currently failing fast after a failure.
    public var isFailingFast: Bool { DispatchTime.now().uptimeNanoseconds < failFastUntil.load(ordering: .relaxed) }

    private func checkAvailable() throws(RedisError) {
        if isFailingFast { throw RedisError(.unavailable, "redis failed recently; retrying after \(configuration.retryInterval)") }
    }

    /// On the lane's queue: (re)connects if needed and runs the commands.
    private func run(_ commands: [RedisCommand], on lane: Lane) -> Result<[RedisReply], RedisError> {
        // Queued behind a call that just failed: don't wait out another timeout.
        do throws(RedisError) { try checkAvailable() } catch { return .failure(error) }
        do throws(RedisError) {
            if lane.connection == nil || lane.connection?.isBroken == true {
                lane.connection = nil
                lane.connection = try RedisConnection(configuration)
                if failFastUntil.exchange(0, ordering: .relaxed) != 0 {
                    logger.info("redis reachable again", metadata: ["host": "\(configuration.host):\(configuration.port)"])
                }
            }
            return .success(try lane.connection!.pipeline(commands))
        } catch {
            if error.breaksConnection {
                lane.connection = nil
                let until = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, configuration.retryInterval.wholeNanoseconds))
                if failFastUntil.exchange(until, ordering: .relaxed) == 0 {
                    logger.warning("redis unavailable; cache tiers skipped", metadata: ["error": "\(error)"])
                }
            }
            return .failure(error)
        }
    }
}

/// One serial queue and the connection only that queue touches.
///
/// `@unchecked Sendable` is safe: `connection` is read and written exclusively inside blocks run on
/// `queue`, which is serial, so no two threads ever touch it at once.
private final class Lane: @unchecked Sendable {
    let queue: DispatchQueue
    var connection: RedisConnection?

    init(label: String) { queue = DispatchQueue(label: label) }
}
