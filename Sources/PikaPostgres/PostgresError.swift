import PikaMemory

/// A failed PostgreSQL operation: what kind of failure, the server's SQLSTATE when it sent one, and its message.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// The failure classes callers act on.
    public enum Kind: String, Sendable {
        /// The server cannot be reached or the connection broke; the next use reconnects.
        case unavailable
        /// No pooled connection became free within the acquire timeout.
        case poolTimeout
        /// The server cancelled the statement (`statement_timeout`, SQLSTATE 57014).
        case statementTimeout
        /// The server rejected the statement (see ``PostgresError/sqlState``).
        case server
        /// A result that does not have the expected shape (a wrong column type, a missing row).
        case decoding
        /// A bad connection URL or pool setting.
        case configuration
    }

    /// The failure class.
    public let kind: Kind
    /// The five-character SQLSTATE the server reported (e.g. `23505` unique violation), when it sent one.
    public let sqlState: String?
    /// The server's or libpq's message, or ours.
    public let message: String

    /// Creates an error.
    public init(_ kind: Kind, sqlState: String? = nil, message: String) {
        self.kind = kind
        self.sqlState = sqlState
        self.message = message
    }

    /// Whether the database is (temporarily) out of reach: retrying later may succeed.
    public var isUnavailable: Bool {
        switch kind {
        case .unavailable, .poolTimeout: true
        // 57P01..57P03: admin shutdown, crash shutdown, cannot connect now; 08xxx: connection exceptions.
        case .server: sqlState.map { $0.hasPrefix("08") || $0.hasPrefix("57P") } ?? false
        default: false
        }
    }

    /// Whether this is a unique-key violation (SQLSTATE 23505).
    public var isUniqueViolation: Bool { sqlState == "23505" }

    /// Stable text for logs.
    public var description: String {
        "postgres \(kind.rawValue)" + (sqlState.map { " [\($0)]" } ?? "") + ": \(message)"
    }

    /// This error as the memory pipeline's error: `unavailable` (HTTP 503) when the database is out of
    /// reach, `storage_error` (500) otherwise.
    public var memoryError: MemoryError {
        MemoryError(
            isUnavailable ? .unavailable : .storage,
            isUnavailable ? "PostgreSQL is unavailable: \(message)" : description)
    }
}
