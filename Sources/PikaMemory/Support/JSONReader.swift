/// Reads JSON text (RFC 8259) into a ``JSONValue`` in one pass over its UTF-8 bytes: the one way
/// the project turns bytes into a ``JSONValue`` (request bodies, stored metadata, summaries and job
/// results, provider answers).
///
/// `JSONDecoder` reached ``JSONValue`` through `Decodable`'s generic containers and tried each kind
/// of value in turn, throwing an error for each wrong guess (two per string field): 3.6 % of the
/// server's CPU for a new-question search (perf, docs/benchmarks-archive.md). This reader accepts
/// exactly RFC 8259's grammar: no comments, no trailing commas, no leading zeros or `+`, strings
/// without raw control characters, `\u` escapes with paired surrogates, nothing after the value but
/// whitespace; the text must be valid UTF-8 (no overlong forms, no encoded surrogates); numbers must
/// fit a finite `Double` (beyond 2^53 they round, as `JSONDecoder`'s do); nesting deeper than
/// ``maxDepth`` is refused. A repeated key keeps its first value, as `JSONDecoder` does.
public struct JSONReader {
    /// Arrays and objects nested deeper than this are refused (as `JSONDecoder` does at 512).
    public static let maxDepth = 512

    /// Why a text is not JSON: what was expected, at which byte offset.
    public struct Failure: Error, Sendable, Equatable {
        /// What was wrong.
        public var reason: String
        /// The byte offset where reading stopped: for ``Kind/invalidUTF8``, the first byte of the
        /// first sequence that is not UTF-8.
        public var offset: Int
        /// Which rule the text broke.
        public var kind: Kind = .syntax

        /// The rule a text broke; callers answer each with its own problem code.
        public enum Kind: Sendable, Equatable {
            /// Not JSON's grammar, nested too deep, or a number beyond `Double`.
            case syntax
            /// Not UTF-8. Reported before any other failure, wherever in the text it is.
            case invalidUTF8
        }
    }

    /// Parses `bytes` as one JSON value with optional surrounding whitespace.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws(Failure) -> JSONValue {
        var reader = Cursor(bytes: bytes)
        do throws(Failure) {
            let value = try reader.value(depth: 0)
            reader.skipWhitespace()
            guard reader.position == bytes.count else { throw reader.failure("end of text") }
            return value
        } catch {
            // Only strings may hold bytes past ASCII, and each string read was validated: a text
            // that parsed is UTF-8. One that did not is checked whole, so bad UTF-8 is named as
            // such wherever it sits (the service answers it with its own code).
            if let bad = firstInvalidUTF8(bytes) { throw Failure(reason: "valid UTF-8", offset: bad, kind: .invalidUTF8) }
            throw error
        }
    }

    /// Parses a byte collection (`Data`, `[UInt8]`, a buffer's readable bytes) as one JSON value.
    ///
    /// Inlinable, so a caller's collection type is known where its contiguous storage is asked for.
    @inlinable
    public static func parse(_ bytes: some Collection<UInt8>) throws(Failure) -> JSONValue {
        // `withContiguousStorageIfAvailable` rethrows untyped errors: the result carries the typed one out.
        let direct = bytes.withContiguousStorageIfAvailable { bytes in Result { () throws(Failure) in try parse(bytes) } }
        if let direct { return try direct.get() }
        return try Array(bytes).withUnsafeBufferPointer { bytes in Result { () throws(Failure) in try parse(bytes) } }.get()
    }

    /// Parses a string's UTF-8 as one JSON value.
    public static func parse(_ text: String) throws(Failure) -> JSONValue {
        var text = text
        return try text.withUTF8 { bytes in Result { () throws(Failure) in try parse(bytes) } }.get()
    }

    /// The offset of the first byte that does not start a well-formed UTF-8 sequence, nil when all do.
    static func firstInvalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    private struct Cursor {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        func failure(_ expected: String) -> Failure {
            Failure(reason: "expected \(expected)", offset: position)
        }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x09, 0x0A, 0x0D: position += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Failure) -> JSONValue {
            skipWhitespace()
            guard position < bytes.count else { throw failure("a value") }
            switch bytes[position] {
            case UInt8(ascii: "{"): return .object(try object(depth: depth + 1))
            case UInt8(ascii: "["): return .array(try array(depth: depth + 1))
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: StaticString) throws(Failure) {
            let count = word.utf8CodeUnitCount
            guard position + count <= bytes.count else { throw failure("\(word)") }
            for i in 0..<count where bytes[position + i] != word.utf8Start[i] { throw failure("\(word)") }
            position += count
        }

        mutating func object(depth: Int) throws(Failure) -> [String: JSONValue] {
            guard depth <= JSONReader.maxDepth else { throw failure("nesting within \(JSONReader.maxDepth)") }
            position += 1
            var object: [String: JSONValue] = [:]
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                position += 1
                return object
            }
            while true {
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw failure("a key") }
                let key = try string()
                skipWhitespace()
                guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw failure(":") }
                position += 1
                let member = try value(depth: depth)
                if object.index(forKey: key) == nil { object[key] = member }
                if try closes(UInt8(ascii: "}")) { return object }
            }
        }

        mutating func array(depth: Int) throws(Failure) -> [JSONValue] {
            guard depth <= JSONReader.maxDepth else { throw failure("nesting within \(JSONReader.maxDepth)") }
            position += 1
            var array: [JSONValue] = []
            skipWhitespace()
            if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                position += 1
                return array
            }
            while true {
                array.append(try value(depth: depth))
                if try closes(UInt8(ascii: "]")) { return array }
            }
        }

        /// After a member or element: true at `close` (consumed), false at a comma (consumed).
        mutating func closes(_ close: UInt8) throws(Failure) -> Bool {
            skipWhitespace()
            guard position < bytes.count else { throw failure(", or \(Character(Unicode.Scalar(close)))") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                return false
            }
            guard bytes[position] == close else { throw failure(", or \(Character(Unicode.Scalar(close)))") }
            position += 1
            return true
        }

        /// A string from its opening quote; the common case (no escape) is one copy of its bytes.
        mutating func string() throws(Failure) -> String {
            position += 1
            let start = position
            var high: UInt8 = 0
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let body = UnsafeBufferPointer(rebasing: bytes[start..<position])
                    // ASCII (most keys and values) needs no validation: the cheaper constructor.
                    let text = high < 0x80 ? String(decoding: body, as: UTF8.self) : String(validating: body, as: UTF8.self)
                    guard let text else { throw failure("valid UTF-8") }
                    position += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
                guard byte >= 0x20 else { throw failure("no control character in a string") }
                high |= byte
                position += 1
            }
            throw failure("a closing quote")
        }

        mutating func escapedString(from start: Int) throws(Failure) -> String {
            var out = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
            while position < bytes.count {
                let byte = bytes[position]
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    guard let text = String(validating: out, as: UTF8.self) else { throw failure("valid UTF-8") }
                    return text
                case UInt8(ascii: "\\"):
                    guard position < bytes.count else { throw failure("an escape") }
                    let escape = bytes[position]
                    position += 1
                    switch escape {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"): out.append(contentsOf: String(try unicodeEscape()).utf8)
                    default: throw failure("a valid escape")
                    }
                case 0..<0x20:
                    throw failure("no control character in a string")
                default:
                    out.append(byte)
                }
            }
            throw failure("a closing quote")
        }

        /// The scalar of `\uXXXX` (after the `u`), or of a surrogate pair `\uD83D\uDE00`.
        mutating func unicodeEscape() throws(Failure) -> Unicode.Scalar {
            let first = try hex4()
            if (0xDC00...0xDFFF).contains(first) { throw failure("a high surrogate before a low one") }
            guard (0xD800...0xDBFF).contains(first) else { return Unicode.Scalar(first)! }
            guard position + 2 <= bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u")
            else { throw failure("a low surrogate") }
            position += 2
            let second = try hex4()
            guard (0xDC00...0xDFFF).contains(second) else { throw failure("a low surrogate") }
            return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard position + 4 <= bytes.count else { throw failure("four hex digits") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw failure("four hex digits")
                }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }

        /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, converted by the standard library.
        mutating func number() throws(Failure) -> Double {
            let start = position
            func digits(_ cursor: inout Cursor) -> Int {
                let from = cursor.position
                while cursor.position < cursor.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(cursor.bytes[cursor.position])
                {
                    cursor.position += 1
                }
                return cursor.position - from
            }
            if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
            let integer = position
            guard digits(&self) > 0 else { throw failure("a value") }
            if bytes[integer] == UInt8(ascii: "0"), position - integer > 1 { throw failure("no leading zero") }
            if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
                position += 1
                guard digits(&self) > 0 else { throw failure("a digit after the point") }
            }
            if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
                position += 1
                if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
                guard digits(&self) > 0 else { throw failure("a digit in the exponent") }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            guard let value = Double(text), value.isFinite else {
                position = start
                throw failure("a number within Double's range")
            }
            return value
        }
    }
}
