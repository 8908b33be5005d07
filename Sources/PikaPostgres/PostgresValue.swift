import Foundation

/// A query parameter, sent in PostgreSQL's text format (the server casts it to the column's type).
public enum PostgresValue: Sendable, Hashable {
    /// SQL NULL.
    case null
    /// The value's text representation.
    case text(String)
}

extension PostgresValue: ExpressibleByStringLiteral, ExpressibleByNilLiteral {
    /// Text.
    public init(stringLiteral value: String) { self = .text(value) }
    /// NULL.
    public init(nilLiteral: ()) { self = .null }
}

extension PostgresValue {
    /// Text or NULL.
    public static func optional(_ text: String?) -> PostgresValue { text.map { .text($0) } ?? .null }
    /// An integer.
    public static func int(_ value: Int) -> PostgresValue { .text(String(value)) }
    /// A 64-bit integer.
    public static func int64(_ value: Int64) -> PostgresValue { .text(String(value)) }
    /// A double, exactly (Swift prints the shortest text that reads back to the same value).
    public static func double(_ value: Double) -> PostgresValue { .text("\(value)") }
    /// A boolean.
    public static func bool(_ value: Bool) -> PostgresValue { .text(value ? "t" : "f") }
    /// A time as seconds since 1970; SQL converts it with `to_timestamp($n)` into a `timestamptz`
    /// (microsecond precision) and reads it back with `extract(epoch FROM column)`.
    public static func date(_ value: Date) -> PostgresValue { .double(value.timeIntervalSince1970) }
    /// A list for `= ANY($n)`: a PostgreSQL array literal of text elements.
    public static func textArray(_ values: [String]) -> PostgresValue {
        let escaped = values.map { value in
            "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return .text("{" + escaped.joined(separator: ",") + "}")
    }
}
