import CLibPQ
import Foundation

/// One libpq connection. It owns its `PGconn` (never handed out) and is used by one thread at a time:
/// the pool gives each connection its own serial queue, the listener its own thread.
///
/// Every call blocks; never call it from Swift's cooperative pool.
public final class PostgresConnection {
    private let pq: LibPQ
    private var handle: OpaquePointer?

    /// Connects to `url` (`postgresql://user[:password]@host:port/db?param=value`).
    ///
    /// - Parameters:
    ///   - connectTimeout: seconds libpq waits for the server (`connect_timeout`, at least 2).
    ///   - settings: server settings for this session, sent at connect time (`options=-c name=value`),
    ///     e.g. `statement_timeout` or `search_path`; values are plain identifiers or numbers.
    public init(
        url: String, connectTimeout: Int = 5, settings: [(String, String)] = [], applicationName: String = "pika"
    )
        throws(PostgresError)
    {
        pq = try LibPQ.loaded()
        var keywords = ["dbname", "connect_timeout", "application_name"]
        var values = [url, String(max(2, connectTimeout)), applicationName]
        if !settings.isEmpty {
            keywords.append("options")
            values.append(settings.map { "-c \($0.0)=\($0.1)" }.joined(separator: " "))
        }
        let conn = Self.withCStrings(keywords) { keys in
            Self.withCStrings(values) { vals in pq.connectdbParams(keys, vals, 1) }
        }
        guard let conn, pq.status(conn) == CONNECTION_OK else {
            let message = conn.map { Self.errorMessage($0, pq) } ?? "out of memory"
            if let conn { pq.finish(conn) }
            // A malformed URL is a configuration error, not an outage.
            let kind: PostgresError.Kind = message.contains("invalid") && message.contains("URI") ? .configuration : .unavailable
            throw PostgresError(kind, message: "cannot connect: \(message)")
        }
        handle = conn
    }

    deinit {
        if let handle { pq.finish(handle) }
    }

    /// Whether the connection is still usable (libpq has not seen it break).
    public var isHealthy: Bool { handle.map { pq.status($0) == CONNECTION_OK } ?? false }

    /// The socket descriptor, for waiting on notifications.
    var socket: Int32 { handle.map { pq.socket($0) } ?? -1 }

    /// Whether the server has (probably) closed this idle connection: a restart or an administrator's
    /// termination sends a FATAL error and then closes, so the socket turns readable although no
    /// statement is running. A pooled connection never `LISTEN`s, so anything unsolicited is treated as
    /// the end (at worst a notice costs one reconnect). One `poll` with a zero timeout before each use.
    func serverHasClosed() -> Bool {
        guard let handle else { return true }
        return waitReadable(timeoutMilliseconds: 0) || pq.status(handle) != CONNECTION_OK
    }

    /// Waits until the server sent something (or `timeoutMilliseconds` passed); true when readable.
    func waitReadable(timeoutMilliseconds: Int32) -> Bool {
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, timeoutMilliseconds) > 0
    }

    /// Runs one statement with `$1…$n` parameters (text format) and returns its rows.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = []) throws(PostgresError) -> PostgresResult {
        let handle = try liveHandle()
        let texts: [String?] = parameters.map { if case .text(let text) = $0 { text } else { nil } }
        let result = Self.withOptionalCStrings(texts) { pointers in
            pq.execParams(handle, sql, Int32(pointers.count), nil, pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    /// Runs one or more `;`-separated statements without parameters (schema migrations).
    public func execute(_ sql: String) throws(PostgresError) {
        let handle = try liveHandle()
        try consume(pq.exec(handle, sql))
    }

    /// Runs `body` inside `BEGIN … COMMIT`, rolling back when it throws.
    public func transaction<T>(_ body: (PostgresConnection) throws(PostgresError) -> T) throws(PostgresError) -> T {
        try execute("BEGIN")
        do {
            let value = try body(self)
            try execute("COMMIT")
            return value
        } catch {
            if isHealthy { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// Reads what the server sent and returns the notifications received (LISTEN); non-blocking.
    func drainNotifications() throws(PostgresError) -> [(channel: String, payload: String)] {
        let handle = try liveHandle()
        guard pq.consumeInput(handle) == 1 else {
            throw PostgresError(.unavailable, message: "connection lost: \(Self.errorMessage(handle, pq))")
        }
        var received: [(String, String)] = []
        while let notify = pq.notifies(handle) {
            received.append((String(cString: notify.pointee.relname), String(cString: notify.pointee.extra)))
            pq.freemem(notify)
        }
        return received
    }

    // MARK: - Private

    private func liveHandle() throws(PostgresError) -> OpaquePointer {
        guard let handle, pq.status(handle) == CONNECTION_OK else {
            throw PostgresError(.unavailable, message: "connection is broken; it is replaced on next use")
        }
        return handle
    }

    @discardableResult
    private func consume(_ result: OpaquePointer?) throws(PostgresError) -> PostgresResult {
        guard let handle else { throw PostgresError(.unavailable, message: "connection closed") }
        guard let result else {
            throw PostgresError(.unavailable, message: "no result: \(Self.errorMessage(handle, pq))")
        }
        defer { pq.clear(result) }
        switch pq.resultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return PostgresResult(rows: [], affectedRows: Int(pq.cmdTuples(result).map { String(cString: $0) } ?? "") ?? 0)
        case PGRES_TUPLES_OK:
            let rowCount = pq.ntuples(result)
            let columnCount = pq.nfields(result)
            var rows: [PostgresRow] = []
            rows.reserveCapacity(Int(rowCount))
            for row in 0..<rowCount {
                var values: [String?] = []
                values.reserveCapacity(Int(columnCount))
                for column in 0..<columnCount {
                    values.append(
                        pq.getisnull(result, row, column) == 1
                            ? nil : pq.getvalue(result, row, column).map { String(cString: $0) } ?? "")
                }
                rows.append(PostgresRow(values: values))
            }
            return PostgresResult(rows: rows, affectedRows: Int(rowCount))
        default:
            let sqlState = pq.resultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
            let message =
                pq.resultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
                ?? Self.errorMessage(handle, pq)
            if pq.status(handle) != CONNECTION_OK {
                throw PostgresError(.unavailable, sqlState: sqlState, message: "connection lost: \(message)")
            }
            if sqlState == "57014" { throw PostgresError(.statementTimeout, sqlState: sqlState, message: message) }
            throw PostgresError(.server, sqlState: sqlState, message: message)
        }
    }

    private static func errorMessage(_ handle: OpaquePointer, _ pq: LibPQ) -> String {
        (pq.errorMessage(handle).map { String(cString: $0) } ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Calls `body` with a NULL-terminated array of C strings.
    private static func withCStrings<R>(_ strings: [String], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        withOptionalCStrings(strings + [nil]) { body($0) }
    }

    /// Calls `body` with C strings (nil stays NULL) that live for the duration of the call.
    private static func withOptionalCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { $0.map { strdup($0)! } }
        defer { for copy in copies { free(copy) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }
}
