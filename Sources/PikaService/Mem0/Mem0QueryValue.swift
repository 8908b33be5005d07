import Foundation
import PikaMemory

/// Reads a structured query-string value the Mem0 SDK sends: JSON, or the Python literal that
/// `httpx` writes for a dict (`{'user_id': 'alice'}`, with `True`, `False`, `None`, tuples).
struct Mem0QueryValue {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    /// The value of `text`, nil when it is neither JSON nor a Python literal.
    static func parse(_ text: String) -> JSONValue? {
        if let json = try? JSONReader.parse(text) { return json }
        var reader = Mem0QueryValue(scalars: Array(text.unicodeScalars))
        guard let value = reader.value(depth: 0) else { return nil }
        reader.skipSpace()
        return reader.position == reader.scalars.count ? value : nil
    }

    private init(scalars: [Unicode.Scalar]) { self.scalars = scalars }

    private var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func skipSpace() {
        while let c = current, c == " " || c == "\n" || c == "\t" || c == "\r" { position += 1 }
    }

    private mutating func value(depth: Int) -> JSONValue? {
        guard depth < 32 else { return nil }
        skipSpace()
        guard let c = current else { return nil }
        switch c {
        case "{":
            position += 1
            var object: [String: JSONValue] = [:]
            while true {
                skipSpace()
                if current == "}" {
                    position += 1
                    return .object(object)
                }
                guard let key = value(depth: depth + 1)?.stringValue else { return nil }
                skipSpace()
                guard current == ":" else { return nil }
                position += 1
                guard let item = value(depth: depth + 1) else { return nil }
                object[key] = item
                skipSpace()
                if current == "," { position += 1 } else if current != "}" { return nil }
            }
        case "[", "(":
            let close: Unicode.Scalar = c == "[" ? "]" : ")"
            position += 1
            var list: [JSONValue] = []
            while true {
                skipSpace()
                if current == close {
                    position += 1
                    return .array(list)
                }
                guard let item = value(depth: depth + 1) else { return nil }
                list.append(item)
                skipSpace()
                if current == "," { position += 1 } else if current != close { return nil }
            }
        case "'", "\"": return string(quote: c)
        default:
            var word = ""
            while let c = current, c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "." || c == "-" || c == "+" || c == "_" {
                word.unicodeScalars.append(c)
                position += 1
            }
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .null
            default: return Double(word).map(JSONValue.number)
            }
        }
    }

    private mutating func string(quote: Unicode.Scalar) -> JSONValue? {
        position += 1
        var out = String.UnicodeScalarView()
        while let c = current {
            position += 1
            if c == quote { return .string(String(out)) }
            guard c == "\\" else {
                out.append(c)
                continue
            }
            guard let escaped = current else { return nil }
            position += 1
            switch escaped {
            case "n": out.append("\n")
            case "t": out.append("\t")
            case "r": out.append("\r")
            case "x", "u", "U":
                let width = escaped == "x" ? 2 : escaped == "u" ? 4 : 8
                guard position + width <= scalars.count,
                    let code = UInt32(String(String.UnicodeScalarView(scalars[position..<position + width])), radix: 16),
                    let scalar = Unicode.Scalar(code)
                else { return nil }
                position += width
                out.append(scalar)
            default: out.append(escaped)
            }
        }
        return nil
    }
}
