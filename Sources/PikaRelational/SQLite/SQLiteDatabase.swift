import Dispatch
import Synchronization

/// A SQLite database reached through one connection on a private serial queue, plus a read-only
/// connection on a second queue for ``read(_:)``.
///
/// Blocking SQLite calls run on those queues, never on Swift's cooperative pool; callers `await`
/// the result. The second connection exists because every commit waits for an fsync
/// (`synchronous=FULL`): with one queue, searches waited behind writes (under the service load
/// benchmark the mix with 9 % writes answered a third of the read-only rate). In WAL mode a read
/// never waits for a writer and sees every transaction committed before it started, so a read
/// issued after a write returned sees that write. Checkpoints of the write-ahead log run on a third
/// connection (``SQLiteCheckpointer``), never inside a commit. Transactions that queue up while the
/// connection is busy share one COMMIT (``SQLiteGroupCommit``).
///
/// `@unchecked Sendable` is safe: the mutable state is the two connections, `let`s each touched
/// exclusively inside `async`/`sync` blocks of its own serial queue, which runs them one at a time;
/// the transactions waiting for a group commit are behind a mutex.
public final class SQLiteDatabase: @unchecked Sendable {
    private let connection: SQLiteConnection
    private let queue: DispatchQueue
    /// Read-only; nil for an in-memory database (a second connection would see another database).
    private let reader: SQLiteConnection?
    private let readQueue: DispatchQueue
    /// Transactions waiting for the next group commit, and whether one is scheduled on `queue`.
    private let waiting = Mutex<(members: [any GroupCommitMember], scheduled: Bool)>(([], false))
    /// SQLite transactions the group commits have used so far (tests).
    let groupTransactions = Atomic<Int>(0)
    /// Nil for an in-memory database (no log to checkpoint).
    private let checkpointer: SQLiteCheckpointer?
    /// The database file.
    public let path: String

    /// Opens the database at `path` and applies `migrations` (each a batch of SQL, run once, in order).
    /// The write-ahead log is checkpointed in the background each time it reaches `checkpointFrames`
    /// frames (SQLite's default automatic threshold; tests lower it).
    public init(path: String, migrations: [String] = [], checkpointFrames: Int = 1000) throws {
        self.path = path
        self.connection = try SQLiteConnection(path: path)
        self.queue = DispatchQueue(label: "pika.sqlite")
        try Self.migrate(connection, migrations)
        self.readQueue = DispatchQueue(label: "pika.sqlite.read")
        if path == ":memory:" || path.isEmpty || path.hasPrefix("file::memory:") {
            self.reader = nil
            self.checkpointer = nil
        } else {
            let reader = try SQLiteConnection(path: path)
            try reader.execute("PRAGMA query_only=ON")
            self.reader = reader
            let checkpointer = try SQLiteCheckpointer(path: path, threshold: checkpointFrames)
            self.checkpointer = checkpointer
            connection.onCommit { [unowned connection] frames in checkpointer.committed(walFrames: frames, writer: connection) }
        }
    }

    /// Returns once the background checkpoints scheduled so far have finished.
    public func waitForCheckpoints() async {
        await checkpointer?.drain()
    }

    /// Runs `body` with the connection on the database queue.
    @discardableResult
    public func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body(self.connection) })
            }
        }
    }

    /// Runs `body`, which must only read, on the read-only connection: it does not wait for writes
    /// in progress, and sees every write that had returned before this call.
    @discardableResult
    public func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        guard reader != nil else { return try await run(body) }
        return try await withCheckedThrowingContinuation { continuation in
            readQueue.async {
                continuation.resume(with: Result { try body(self.reader!) })
            }
        }
    }

    /// Runs `body` in a transaction on the database queue and returns once it is committed (durable).
    ///
    /// Transactions called while the connection is busy wait together and then run in call order in
    /// one SQLite transaction, each in a savepoint, sharing one COMMIT (``SQLiteGroupCommit``): a body
    /// that throws rolls back only itself; a failed COMMIT fails every body of the group.
    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let member = GroupCommitTransaction(body: body, continuation: continuation)
            let schedules = waiting.withLock { waiting in
                waiting.members.append(member)
                defer { waiting.scheduled = true }
                return !waiting.scheduled
            }
            if schedules { queue.async { self.commitWaiting() } }
        }
    }

    /// Runs every waiting transaction as one group (on `queue`). Transactions called from now on wait
    /// for the next group, scheduled by the first of them.
    private func commitWaiting() {
        let members = waiting.withLock { waiting in
            defer { waiting = ([], false) }
            return waiting.members
        }
        SQLiteGroupCommit.run(members, on: connection) {
            groupTransactions.add(1, ordering: .relaxed)
        }
    }

    /// Transactions waiting for the next group commit (tests).
    var waitingTransactions: Int { waiting.withLock { $0.members.count } }

    /// Runs `body` synchronously on the database queue (start-up and CLI only, never from async code).
    public func runBlocking<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try queue.sync { try body(connection) }
    }

    private static func migrate(_ connection: SQLiteConnection, _ migrations: [String]) throws {
        try connection.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        for (offset, sql) in migrations.enumerated() {
            // Read the version inside the (IMMEDIATE) transaction: another process sharing the file
            // (`pika worker`) may have applied this migration while we waited for the write lock.
            try connection.transaction {
                let current = try connection.queryOne("SELECT MAX(version) FROM schema_version")?.int(0) ?? 0
                guard offset + 1 > current else { return }
                try connection.execute(sql)
                try connection.query("INSERT INTO schema_version(version) VALUES (?)", [.int(offset + 1)])
            }
        }
    }
}
