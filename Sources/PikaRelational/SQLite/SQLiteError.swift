import CSQLite

/// A failed SQLite call: the result code, SQLite's message and the statement attempted.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The SQLite primary or extended result code (e.g. 19 for a constraint violation).
    public let resultCode: Int32
    /// SQLite's explanation (`sqlite3_errmsg`) or ours.
    public let message: String
    /// The SQL that failed, when there was one.
    public let sql: String?

    /// Creates an error.
    public init(resultCode: Int32, message: String, sql: String? = nil) {
        self.resultCode = resultCode
        self.message = message
        self.sql = sql
    }

    /// Whether this is a constraint violation (unique key, foreign key, check).
    public var isConstraintViolation: Bool { resultCode & 0xff == SQLITE_CONSTRAINT }

    /// Stable text for logs and problem bodies.
    public var description: String {
        "sqlite error \(resultCode): \(message)" + (sql.map { " [\($0)]" } ?? "")
    }
}
