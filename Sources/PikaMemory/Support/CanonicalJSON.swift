import Foundation

/// The one way the project writes an `Encodable` as JSON: `JSONEncoder` with sorted keys and
/// unescaped slashes, the form ``JSONWriter`` and ``JSONValue/jsonText`` write as well, so one value
/// is the same bytes wherever it goes (answers, job payloads and results, export lines, logs).
public enum CanonicalJSON {
    /// `value` as compact JSON bytes.
    public static func data(of value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// `value` as compact JSON text.
    public static func text(of value: some Encodable) throws -> String {
        String(decoding: try data(of: value), as: UTF8.self)
    }
}
