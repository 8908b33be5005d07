import Foundation

/// One row of a query result, copied out of libpq's `PGresult` (text format).
public struct PostgresRow: Sendable {
    /// The values by column, nil for NULL.
    public let values: [String?]

    /// Creates a row.
    public init(values: [String?]) { self.values = values }

    /// Column `index` as text, nil for NULL.
    public func string(_ index: Int) -> String? { values[index] }

    /// Column `index` as an integer (0 for NULL or non-numeric text).
    public func int(_ index: Int) -> Int { values[index].flatMap { Int($0) } ?? 0 }

    /// Column `index` as a 64-bit integer (0 for NULL).
    public func int64(_ index: Int) -> Int64 { values[index].flatMap { Int64($0) } ?? 0 }

    /// Column `index` as a double (0 for NULL).
    public func double(_ index: Int) -> Double { values[index].flatMap { Double($0) } ?? 0 }

    /// Column `index` as a boolean (`t`/`f`).
    public func bool(_ index: Int) -> Bool { values[index] == "t" }

    /// Column `index` (epoch seconds, e.g. `extract(epoch FROM created_at)`) as a date.
    public func date(_ index: Int) -> Date { Date(timeIntervalSince1970: double(index)) }

    /// Whether column `index` is NULL.
    public func isNull(_ index: Int) -> Bool { values[index] == nil }
}

/// A statement's outcome: the rows it returned and the rows it changed.
public struct PostgresResult: Sendable {
    /// Returned rows, in order.
    public let rows: [PostgresRow]
    /// Rows inserted, updated or deleted (`PQcmdTuples`), 0 when not applicable.
    public let affectedRows: Int

    /// Creates a result.
    public init(rows: [PostgresRow], affectedRows: Int) {
        self.rows = rows
        self.affectedRows = affectedRows
    }
}
