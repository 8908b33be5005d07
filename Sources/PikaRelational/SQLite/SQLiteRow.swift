/// One result row, copied out of the statement so it outlives the step that produced it.
public struct SQLiteRow: Sendable {
    /// The columns in select order.
    public let values: [SQLiteValue]

    /// Creates a row.
    public init(values: [SQLiteValue]) { self.values = values }

    /// Text of column `index`, or nil for NULL.
    public func string(_ index: Int) -> String? {
        switch values[index] {
        case .text(let text): text
        case .integer(let value): String(value)
        case .real(let value): String(value)
        case .blob(let bytes): String(decoding: bytes, as: UTF8.self)
        case .null: nil
        }
    }

    /// Integer of column `index` (0 for NULL).
    public func int64(_ index: Int) -> Int64 {
        switch values[index] {
        case .integer(let value): value
        case .real(let value): Int64(value)
        case .text(let text): Int64(text) ?? 0
        default: 0
        }
    }

    /// Integer of column `index` as `Int`.
    public func int(_ index: Int) -> Int { Int(int64(index)) }

    /// Double of column `index` (0 for NULL).
    public func double(_ index: Int) -> Double {
        switch values[index] {
        case .real(let value): value
        case .integer(let value): Double(value)
        case .text(let text): Double(text) ?? 0
        default: 0
        }
    }

    /// Bytes of column `index` (empty for NULL).
    public func blob(_ index: Int) -> [UInt8] {
        switch values[index] {
        case .blob(let bytes): bytes
        case .text(let text): Array(text.utf8)
        default: []
        }
    }
}
