import CSQLite

/// One open SQLite database handle, closed on release.
///
/// Not `Sendable`: a connection is used by one thread at a time. ``SQLiteDatabase`` owns one and
/// reaches it only from its serial queue. Prepared statements are cached by SQL text.
public final class SQLiteConnection {
    private let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database at `path`, in WAL mode with a 5 s busy timeout.
    public init(path: String) throws(SQLiteError) {
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let code = sqlite3_open_v2(path, &db, flags, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(resultCode: code, message: "\(message) (\(path))")
        }
        self.handle = db
        self.path = path
        sqlite3_busy_timeout(db, 5000)
        try execute("PRAGMA journal_mode=WAL")
        // FULL: an acknowledged commit survives power loss and kill -9 alike.
        try execute("PRAGMA synchronous=FULL")
        try execute("PRAGMA foreign_keys=ON")
    }

    deinit {
        statements.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements without parameters or results.
    public func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(message)
            throw SQLiteError(resultCode: code, message: text, sql: sql)
        }
    }

    /// Runs a statement with `arguments`, returning every row.
    @discardableResult
    public func query(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) -> [SQLiteRow] {
        let statement = try prepared(sql)
        // Reset when done rather than at the next use, so the statement holds no read snapshot
        // meanwhile: a later read on this connection must see later commits of other connections.
        defer { statement.reset() }
        try statement.bind(arguments)
        var rows: [SQLiteRow] = []
        while let row = try statement.step() { rows.append(row) }
        return rows
    }

    /// Runs a statement and returns its first row.
    public func queryOne(_ sql: String, _ arguments: [SQLiteValue] = []) throws(SQLiteError) -> SQLiteRow? {
        try query(sql, arguments).first
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The rowid of the last insert.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Runs `body` in an IMMEDIATE transaction: committed when it returns, rolled back when it throws.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func prepared(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let statement = statements[sql] { return statement }
        let statement = try SQLiteStatement(connection: handle, sql: sql)
        statements[sql] = statement
        return statement
    }
}
