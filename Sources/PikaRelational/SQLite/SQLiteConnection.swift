import CSQLite

/// One open SQLite database handle, closed on release.
///
/// Not `Sendable`: a connection is used by one thread at a time. ``SQLiteDatabase`` owns one and
/// reaches it only from its serial queue. Prepared statements are cached by SQL text.
public final class SQLiteConnection {
    private let handle: OpaquePointer
    private var statements: [String: SQLiteStatement] = [:]
    /// The commit hook's closure; released after the handle is closed, so SQLite never calls a freed one.
    private var walHook: WALHook?
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
        // Deleted rows are overwritten with zeros, not left in free pages: a deleted user's text must
        // not survive in the file (docs/operations.md, erasure).
        try execute("PRAGMA secure_delete=ON")
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

    /// Calls `body` after each commit of this connection with the number of frames in the write-ahead
    /// log, on the committing thread (`sqlite3_wal_hook`). Setting it turns off SQLite's automatic
    /// checkpoint on this connection, which the hook replaced: `body` decides when to checkpoint.
    public func onCommit(walFrames body: @escaping (Int) -> Void) {
        let hook = WALHook(body)
        walHook = hook
        sqlite3_wal_hook(
            handle,
            { context, _, _, frames in
                Unmanaged<WALHook>.fromOpaque(context!).takeUnretainedValue().body(Int(frames))
                return SQLITE_OK
            }, Unmanaged.passUnretained(hook).toOpaque())
    }

    /// Copies what it can of the write-ahead log into the database file without waiting for readers
    /// or writers (`SQLITE_CHECKPOINT_PASSIVE`); returns the frames in the log and how many of them are
    /// now in the database file.
    @discardableResult
    public func checkpoint() throws(SQLiteError) -> (logFrames: Int, checkpointedFrames: Int) {
        var log: Int32 = 0
        var done: Int32 = 0
        let code = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &done)
        guard code == SQLITE_OK else {
            throw SQLiteError(resultCode: code, message: String(cString: sqlite3_errmsg(handle)), sql: "wal_checkpoint(PASSIVE)")
        }
        return (Int(log), Int(done))
    }

    /// Whether a transaction is open (`sqlite3_get_autocommit` is 0).
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

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

    private final class WALHook {
        let body: (Int) -> Void
        init(_ body: @escaping (Int) -> Void) { self.body = body }
    }

    private func prepared(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let statement = statements[sql] { return statement }
        let statement = try SQLiteStatement(connection: handle, sql: sql)
        statements[sql] = statement
        return statement
    }
}
