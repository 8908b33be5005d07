import Dispatch

/// A SQLite database reached through one connection on a private serial queue.
///
/// Blocking SQLite calls run on that queue, never on Swift's cooperative pool; callers `await`
/// the result. `@unchecked Sendable` is safe: the only mutable state is `connection`, a `let`
/// that is touched exclusively inside `queue.async` blocks, which the serial queue runs one at a time.
public final class SQLiteDatabase: @unchecked Sendable {
    private let connection: SQLiteConnection
    private let queue: DispatchQueue
    /// The database file.
    public let path: String

    /// Opens the database at `path` and applies `migrations` (each a batch of SQL, run once, in order).
    public init(path: String, migrations: [String] = []) throws {
        self.path = path
        self.connection = try SQLiteConnection(path: path)
        self.queue = DispatchQueue(label: "pika.sqlite")
        try Self.migrate(connection, migrations)
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

    /// Runs `body` in a transaction on the database queue.
    @discardableResult
    public func transaction<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await run { connection in try connection.transaction { try body(connection) } }
    }

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
