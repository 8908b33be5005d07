import Foundation
import Logging
import Synchronization

/// What a ``PostgresListener`` reports.
public enum PostgresListenerEvent: Sendable, Equatable {
    /// A `NOTIFY` on a listened channel.
    case notification(channel: String, payload: String)
    /// The listening connection was (re)established: notifications sent while it was down are lost,
    /// so whoever waits on them should look at the database once.
    case connected
}

/// A dedicated connection that `LISTEN`s on channels, on its own thread.
///
/// The thread waits on the socket (`poll`, at most `pollInterval`), then `PQconsumeInput` and
/// `PQnotifies`, and calls `handler` for each notification. When the connection breaks it reconnects
/// with a growing back-off (≤ 2 s) and reports ``PostgresListenerEvent/connected`` again.
public final class PostgresListener: Sendable {
    private let configuration: PostgresConfiguration
    private let channels: [String]
    private let handler: @Sendable (PostgresListenerEvent) -> Void
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)
    private let pollInterval: Int32 = 250

    /// Starts listening on `channels` (plain identifiers) and calls `handler` from the listener thread.
    public init(
        configuration: PostgresConfiguration, channels: [String], logger: Logger,
        handler: @escaping @Sendable (PostgresListenerEvent) -> Void
    ) {
        precondition(
            channels.allSatisfy { $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } },
            "channel names are plain identifiers")
        self.configuration = configuration
        self.channels = channels
        self.handler = handler
        self.logger = logger
        let thread = Thread { [self] in run() }
        thread.name = "pika.postgres.listen"
        thread.start()
    }

    /// Asks the thread to close its connection and end (within the poll interval).
    public func stop() { stopped.store(true, ordering: .relaxed) }

    private func run() {
        var connection: PostgresConnection?
        var backoff: UInt32 = 50_000
        while !stopped.load(ordering: .relaxed) {
            guard let live = connection else {
                do {
                    let fresh = try configuration.connect()
                    for channel in channels { try fresh.execute("LISTEN \(channel)") }
                    connection = fresh
                    backoff = 50_000
                    handler(.connected)
                } catch {
                    logger.debug("PostgreSQL listener cannot connect", metadata: ["error": "\(error)"])
                    usleep(backoff)
                    backoff = min(backoff * 2, 2_000_000)
                }
                continue
            }
            guard live.waitReadable(timeoutMilliseconds: pollInterval) else { continue }
            do {
                for (channel, payload) in try live.drainNotifications() {
                    handler(.notification(channel: channel, payload: payload))
                }
                if !live.isHealthy { connection = nil }
            } catch {
                logger.warning("PostgreSQL listener lost its connection", metadata: ["error": "\(error)"])
                connection = nil
            }
        }
    }
}
