import Foundation

/// A JSON value: memory metadata, filter operands, job payloads.
public enum JSONValue: Sendable, Hashable, Codable {
    /// null
    case null
    /// true / false
    case bool(Bool)
    /// A number.
    case number(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object.
    case object([String: JSONValue])

    /// Decodes any JSON value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Encodes the value as JSON.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 9.0e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The string, if this is one.
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    /// The number, if this is one.
    public var numberValue: Double? { if case .number(let n) = self { n } else { nil } }
    /// The object, if this is one.
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { o } else { nil } }
    /// The array, if this is one.
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
}

extension JSONValue {
    /// The JSON form of an `Encodable` (``CanonicalJSON``'s text, read back by ``JSONReader``).
    public init(encoding value: some Encodable) throws {
        self = try JSONReader.parse(try CanonicalJSON.data(of: value))
    }

    /// Compact JSON text, object keys sorted, slashes unescaped: the one way the project writes a
    /// value as text (``JSONWriter``), for storage, cache keys and answers alike.
    public var jsonText: String {
        var writer = JSONWriter(capacity: 64)
        writer.value(self)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Compact JSON text of a metadata object (sorted keys, stable for hashing and storage).
    public static func encodeObject(_ object: [String: JSONValue]) -> String {
        JSONValue.object(object).jsonText
    }

    /// Parses stored metadata text; `{}` when empty or damaged.
    public static func decodeObject(_ text: String?) -> [String: JSONValue] {
        // Most memories have no metadata: skip the reader (a search decodes every hit's metadata).
        guard let text, text != "{}" else { return [:] }
        return (try? JSONReader.parse(text))?.objectValue ?? [:]
    }
}
