import PikaMemory

extension PostgresPool {
    /// Runs a store operation; PostgreSQL failures surface as ``MemoryError`` (`unavailable` → HTTP 503
    /// when the server is out of reach), the error type the pipeline and the routes understand.
    @discardableResult
    func store<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws(PostgresError) -> T) async throws -> T {
        do {
            return try await withConnection(body)
        } catch let error as PostgresError {
            throw error.memoryError
        }
    }

    /// ``store(_:)`` inside a transaction.
    @discardableResult
    func storeTransaction<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws(PostgresError) -> T
    )
        async throws -> T
    {
        try await store { connection throws(PostgresError) in try connection.transaction(body) }
    }
}

/// SQL that reads a `timestamptz` column as epoch seconds (``PostgresRow/date(_:)``).
func epoch(_ column: String) -> String { "extract(epoch FROM \(column))::float8" }
