import Dispatch
import PikaEngine
import Synchronization

/// A fixed number of PostgreSQL connections, each used only from its own serial `DispatchQueue`.
///
/// Blocking libpq calls never run on Swift's cooperative pool: callers `await` a slot, the body runs
/// on that slot's queue, and the continuation resumes with its result. Connections are opened lazily
/// and replaced after they break: a statement on a dead connection fails with
/// ``PostgresError/Kind/unavailable`` and the next use of that slot reconnects. A connection whose
/// server went away while it sat idle (a restart) is noticed before use and replaced at once.
public final class PostgresPool: Sendable {
    /// The pool's settings.
    public let configuration: PostgresConfiguration
    private let slots: [Slot]
    private let state: Mutex<State>

    private struct State {
        var free: [Int]
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Int, any Error>)] = []
        var nextWaiterID: UInt64 = 0
    }

    /// One connection and the queue that owns it.
    ///
    /// `@unchecked Sendable` is safe: `connection` is read and written only inside blocks running on
    /// `queue`, a serial queue, and the pool hands a slot to one caller at a time.
    private final class Slot: @unchecked Sendable {
        let queue: DispatchQueue
        var connection: PostgresConnection?

        init(index: Int) { queue = DispatchQueue(label: "pika.postgres.\(index)") }

        /// Runs `body` with a live connection (opening one if needed); forgets the connection if it broke.
        func use<T>(
            _ configuration: PostgresConfiguration, _ body: (PostgresConnection) throws(PostgresError) -> T
        )
            throws(PostgresError) -> T
        {
            if let current = connection, !current.isHealthy || current.serverHasClosed() { connection = nil }
            let live: PostgresConnection
            if let connection {
                live = connection
            } else {
                live = try configuration.connect()
                connection = live
            }
            do {
                return try body(live)
            } catch {
                if !live.isHealthy { connection = nil }
                if !live.isHealthy && !error.isUnavailable {
                    throw PostgresError(.unavailable, sqlState: error.sqlState, message: "connection lost: \(error.message)")
                }
                throw error
            }
        }
    }

    /// Creates the pool; no connection is opened until first use.
    public init(configuration: PostgresConfiguration) {
        precondition(configuration.poolSize > 0, "a pool needs at least one connection")
        self.configuration = configuration
        self.slots = (0..<configuration.poolSize).map(Slot.init(index:))
        self.state = Mutex(State(free: Array((0..<configuration.poolSize).reversed())))
    }

    /// Runs `body` with a pooled connection on that connection's queue.
    ///
    /// Throws ``PostgresError`` only: `poolTimeout` when no connection frees up in time, `unavailable`
    /// when the server cannot be reached, or what the statement raised.
    @discardableResult
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws(PostgresError) -> T
    )
        async throws -> T
    {
        let index = try await acquire()
        defer { release(index) }
        let slot = slots[index]
        let configuration = self.configuration
        return try await withCheckedThrowingContinuation { continuation in
            slot.queue.async {
                continuation.resume(with: Result { () throws(PostgresError) -> T in try slot.use(configuration, body) })
            }
        }
    }

    /// Runs `body` in a transaction on a pooled connection.
    @discardableResult
    public func transaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws(PostgresError) -> T
    )
        async throws -> T
    {
        try await withConnection { connection throws(PostgresError) in try connection.transaction(body) }
    }

    /// Runs one statement on a pooled connection.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> PostgresResult {
        try await withConnection { connection throws(PostgresError) in try connection.query(sql, parameters) }
    }

    /// Whether the server answers a trivial query now (readiness).
    public func ping() async -> Bool {
        (try? await query("SELECT 1")) != nil
    }

    // MARK: - Slots

    private func acquire() async throws -> Int {
        if let index = state.withLock({ $0.free.popLast() }) { return index }
        let timeout = configuration.acquireTimeout
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
            let outcome: (index: Int?, id: UInt64) = state.withLock { state in
                if let index = state.free.popLast() { return (index, 0) }
                state.nextWaiterID += 1
                state.waiters.append((state.nextWaiterID, continuation))
                return (nil, state.nextWaiterID)
            }
            if let index = outcome.index { return continuation.resume(returning: index) }
            let milliseconds = Int(timeout.wholeMilliseconds)
            DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [self] in
                let expired = state.withLock { state in
                    state.waiters.firstIndex { $0.id == outcome.id }.map { state.waiters.remove(at: $0).continuation }
                }
                expired?.resume(
                    throwing: PostgresError(
                        .poolTimeout, message: "no PostgreSQL connection free within \(timeout) (pool of \(slots.count))"))
            }
        }
    }

    private func release(_ index: Int) {
        let next = state.withLock { state -> CheckedContinuation<Int, any Error>? in
            if state.waiters.isEmpty {
                state.free.append(index)
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume(returning: index)
    }
}
