import CSQLite

/// A prepared statement, finalized when released. Used only by its ``SQLiteConnection``'s thread.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let connection: OpaquePointer
    let sql: String

    init(connection: OpaquePointer, sql: String) throws(SQLiteError) {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v2(connection, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else {
            throw SQLiteError(resultCode: code, message: String(cString: sqlite3_errmsg(connection)), sql: sql)
        }
        self.handle = statement
        self.connection = connection
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    func bind(_ values: [SQLiteValue]) throws(SQLiteError) {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value {
            case .null: code = sqlite3_bind_null(handle, index)
            case .integer(let v): code = sqlite3_bind_int64(handle, index, v)
            case .real(let v): code = sqlite3_bind_double(handle, index, v)
            case .text(let v): code = bindTransientText(handle, index, v)
            case .blob(let v): code = bindTransientBlob(handle, index, v)
            }
            guard code == SQLITE_OK else { throw error(code) }
        }
    }

    /// Ends the current execution (releasing its read snapshot); the bindings stay.
    func reset() { sqlite3_reset(handle) }

    /// Steps once: a row, or nil when done.
    func step() throws(SQLiteError) -> SQLiteRow? {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW:
            let count = sqlite3_column_count(handle)
            var values: [SQLiteValue] = []
            values.reserveCapacity(Int(count))
            for column in 0..<count { values.append(value(column)) }
            return SQLiteRow(values: values)
        case SQLITE_DONE:
            return nil
        default:
            throw error(code)
        }
    }

    private func value(_ column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(handle, column) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let bytes = sqlite3_column_blob(handle, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }

    private func error(_ code: Int32) -> SQLiteError {
        SQLiteError(resultCode: code, message: String(cString: sqlite3_errmsg(connection)), sql: sql)
    }
}

/// Binds text with SQLITE_TRANSIENT (SQLite copies it before returning).
private func bindTransientText(_ statement: OpaquePointer, _ index: Int32, _ text: String) -> Int32 {
    var text = text
    return text.withUTF8 { bytes in
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            return sqlite3_bind_text(statement, index, "", 0, sqliteTransient)
        }
        return base.withMemoryRebound(to: CChar.self, capacity: bytes.count) { chars in
            sqlite3_bind_text(statement, index, chars, Int32(bytes.count), sqliteTransient)
        }
    }
}

/// Binds bytes with SQLITE_TRANSIENT; an empty blob is bound as a zero-length blob, not NULL.
private func bindTransientBlob(_ statement: OpaquePointer, _ index: Int32, _ bytes: [UInt8]) -> Int32 {
    guard !bytes.isEmpty else { return sqlite3_bind_zeroblob(statement, index, 0) }
    return bytes.withUnsafeBytes { raw in
        sqlite3_bind_blob(statement, index, raw.baseAddress, Int32(raw.count), sqliteTransient)
    }
}

/// SQLite's SQLITE_TRANSIENT destructor sentinel, `(sqlite3_destructor_type)-1`, which Swift cannot import.
private var sqliteTransient: sqlite3_destructor_type { unsafeBitCast(-1, to: sqlite3_destructor_type.self) }
