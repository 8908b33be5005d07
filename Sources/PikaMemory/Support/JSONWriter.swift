/// Writes JSON straight into bytes, for what every search writes: the service's answer and the
/// L1 tier's cached answer.
///
/// `JSONEncoder` went through `Encodable`'s generic containers for each of the ten fields of each
/// of the ten results in an answer, about a tenth of the server's CPU per search in a profile of
/// the read load, for each of the two (docs/benchmarks-archive.md, "Read path"). This writer
/// produces what a `JSONEncoder` with sorted keys and unescaped slashes produces for the same
/// values (the service's `JSONBody.response`): non-ASCII as UTF-8, integral numbers without a
/// fraction (tests compare the two on random records).
public struct JSONWriter {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The JSON written so far.
    public private(set) var bytes: [UInt8] = []

    /// Creates an empty writer; `capacity` is a hint in bytes.
    public init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    /// Appends `text` as written: punctuation and keys the caller knows need no escaping.
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Appends `"key":`; `key` must need no escaping.
    public mutating func key(_ key: StaticString) {
        bytes.append(UInt8(ascii: "\""))
        raw(key)
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    /// Appends `,"key":"value"` (no comma when `first`); `key` must need no escaping.
    public mutating func member(_ key: StaticString, _ value: String?, first: Bool = false) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        self.key(key)
        optionalString(value)
    }

    /// Appends a JSON string, escaping quotes, backslashes and control characters.
    public mutating func string(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x08: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0..<0x20:
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                bytes.append(contentsOf: [Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xF)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends a string or `null`.
    public mutating func optionalString(_ value: String?) {
        if let value { string(value) } else { raw("null") }
    }

    /// Appends an unsigned integer.
    public mutating func integer(_ value: UInt64) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Appends a finite number the way `JSONValue` encodes it: integral values without a fraction.
    public mutating func number(_ value: Double) {
        if value.rounded() == value, abs(value) < 9.0e15 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            shortest(value.description)
        }
    }

    /// Appends a score (shortest round-trip form, as `JSONEncoder` writes a `Float`).
    public mutating func number(_ value: Float) {
        if value.rounded() == value, abs(value) < 1.0e7 {
            bytes.append(contentsOf: String(Int64(value)).utf8)
        } else {
            shortest(value.description)
        }
    }

    /// A floating-point `description` as `JSONEncoder` writes it: without a trailing `.0`
    /// (`9000000000000000.0` is written `9000000000000000`).
    private mutating func shortest(_ description: String) {
        let text = description.hasSuffix(".0") ? description.dropLast(2) : description[...]
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends any JSON value; object keys sorted.
    public mutating func value(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .bool(let flag): flag ? raw("true") : raw("false")
        case .number(let number): self.number(number)
        case .string(let text): string(text)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                self.value(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object): self.object(object)
        }
    }

    /// Appends an object, keys sorted.
    public mutating func object(_ object: [String: JSONValue]) {
        bytes.append(UInt8(ascii: "{"))
        for (i, key) in object.keys.sorted().enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(key)
            bytes.append(UInt8(ascii: ":"))
            value(object[key]!)
        }
        bytes.append(UInt8(ascii: "}"))
    }
}
