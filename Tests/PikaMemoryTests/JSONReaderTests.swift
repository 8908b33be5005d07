import Foundation
import Testing

@testable import PikaMemory

/// ``JSONReader`` reads what `JSONDecoder` reads, to the same values, and refuses what RFC 8259 refuses,
/// saying why and where.
struct JSONReaderTests {
    static let documents = [
        #"{"user_id":"alice","query":"what does she like?","limit":10,"mode":"hybrid"}"#,
        #" { "a" : [ 1 , -2.5e3 , 0.125, 1E2, -0, 0 ] , "b" : { "c" : null , "d" : true , "e" : false } } "#,
        #"{"escapes":"q\" b\\ s\/ \b\f\n\r\t","unicode":"\u00e9\u4e2d \ud83d\ude00 ok","raw":"Em thích mèo 🐱"}"#,
        #"[[], {}, [[["deep"]]], "", 12345678901234567890, 1.7976931348623157e308, 5e-324]"#,
        #"{"dup":1,"dup":2}"#, #""just a string""#, "42", "null", #"{"filters":{"AND":[{"kind":"event"}]}}"#,
    ]

    @Test(arguments: documents)
    func readsWhatJSONDecoderReads(text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONReader.parse(text) == expected)
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, #"{a:1}"#, "01", "+1", "1.", ".5", "1e", "-", "tru", "nul",
        "[1 2]", #""unterminated"#, "\"tab\there\"", #""\x""#, #""\u12""#, #""\ud83d""#, #""\ude00""#, #""\ud83d\u0041""#,
        "1e400", "NaN", "{} {}", "// comment\n{}", "[1]x",
    ])
    func refusesWhatIsNotJSON(text: String) {
        #expect(throws: JSONReader.Failure.self) { try JSONReader.parse(text) }
    }

    @Test func nestingIsBounded() throws {
        let fine = String(repeating: "[", count: JSONReader.maxDepth) + String(repeating: "]", count: JSONReader.maxDepth)
        #expect(try JSONReader.parse(fine).arrayValue != nil)
        let deep = String(repeating: "[", count: JSONReader.maxDepth + 1) + String(repeating: "]", count: JSONReader.maxDepth + 1)
        #expect(throws: JSONReader.Failure.self) { try JSONReader.parse(deep) }
    }

    @Test func aFailureSaysWhereReadingStopped() {
        #expect(throws: JSONReader.Failure(reason: "expected :", offset: 5)) { try JSONReader.parse(#"{"a" 1}"#) }
        #expect(throws: JSONReader.Failure(reason: "expected end of text", offset: 4)) { try JSONReader.parse("[1] x") }
        #expect(throws: JSONReader.Failure(reason: "expected end of text", offset: 3)) { try JSONReader.parse("{} {}") }
        let deep = String(repeating: "[", count: JSONReader.maxDepth + 1)
        #expect(throws: JSONReader.Failure(reason: "expected nesting within 512", offset: 512)) { try JSONReader.parse(deep) }
        #expect(throws: JSONReader.Failure(reason: "expected a number within Double's range", offset: 8)) {
            try JSONReader.parse(#"{"n":[1,-1e400]}"#)
        }
    }

    /// Bytes that are not UTF-8 are named as such, at the first bad byte, wherever they are and
    /// whatever else is wrong with the text: the service answers them `invalid_utf8`, not `malformed_json`.
    @Test(
        arguments: [
            ([0x22, 0xFF, 0x22], 1),  // a byte no UTF-8 text holds
            ([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xC3, 0x22, 0x7D], 6),  // a sequence cut short inside a string
            ([0x22, 0xC0, 0x80, 0x22], 1),  // an overlong NUL
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 1),  // an encoded surrogate
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 1),  // past U+10FFFF
            ([0x5B, 0x31, 0x5D, 0xFE], 3),  // trailing garbage that is not UTF-8 either
            ([0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D], 2),  // BadInputTests' body
            ([0x7B, 0xE9, 0x7D], 1),  // outside any string, where a key belongs
            ([0x7B, 0x22, 0x61, 0x22, 0x20, 0x31, 0x80], 6),  // a syntax error before it does not hide it
        ] as [([UInt8], Int)])
    func namesInvalidUTF8(bytes: [UInt8], offset: Int) {
        #expect(throws: JSONReader.Failure(reason: "valid UTF-8", offset: offset, kind: .invalidUTF8)) { try JSONReader.parse(bytes) }
    }

    @Test func validUTF8OfEveryLengthReads() throws {
        let text = "a é 中 🐱 \u{10FFFF}"
        #expect(try JSONReader.parse(Array("\"\(text)\"".utf8)) == .string(text))
    }

    /// A repeated key keeps its first value; numbers past 2^53 round to the nearest `Double` (as
    /// `JSONDecoder`'s do); those past `Double`'s range are refused, those below its precision are 0.
    @Test func duplicateKeysAndHugeNumbers() throws {
        #expect(
            try JSONReader.parse(#"{"k":1,"k":2,"j":{"x":true,"x":false}}"#)
                == .object(["k": .number(1), "j": .object(["x": .bool(true)])]))
        #expect(try JSONReader.parse("9007199254740993") == .number(9_007_199_254_740_992))
        #expect(try JSONReader.parse("123456789012345678901234567890") == .number(1.2345678901234568e29))
        #expect(try JSONReader.parse("1e-400") == .number(0))
        #expect(try JSONReader.parse("-1.7976931348623157e308") == .number(-Double.greatestFiniteMagnitude))
        for refused in ["1e309", "-1e309", String(repeating: "9", count: 400)] {
            #expect(throws: JSONReader.Failure.self) { try JSONReader.parse(refused) }
        }
    }

    /// Every byte collection reads the same: a contiguous one in place, any other through a copy.
    @Test func readsAnyByteCollection() throws {
        let text = #"{"a":[1,"é"]}"#
        let expected = try JSONReader.parse(text)
        #expect(try JSONReader.parse(Data(text.utf8)) == expected)
        #expect(try JSONReader.parse(Array(text.utf8)) == expected)
        #expect(try JSONReader.parse(Array(text.utf8)[...]) == expected)
        #expect(try JSONReader.parse(text.utf8.lazy.map { $0 }) == expected)
    }

    /// Random objects written by `JSONEncoder` read back to themselves.
    @Test func randomObjectsRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        func random(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &generator) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &generator))
            case 2: return .number(Double(Int.random(in: -1_000_000...1_000_000, using: &generator)) / 64)
            case 3:
                let scalars = (0..<Int.random(in: 0..<12, using: &generator)).map { _ in
                    Unicode.Scalar([0x22, 0x5C, 0x0A, 0x01, 0x41, 0xE9, 0x4E2D, 0x1F600].randomElement(using: &generator)!)!
                }
                return .string(String(String.UnicodeScalarView(scalars)))
            case 4: return .array((0..<Int.random(in: 0..<4, using: &generator)).map { _ in random(depth + 1) })
            default:
                return .object(Dictionary((0..<Int.random(in: 0..<4, using: &generator)).map { ("k\($0)", random(depth + 1)) }) { $1 })
            }
        }
        for _ in 0..<200 {
            let value = JSONValue.object(["v": random(0)])
            let text = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
            #expect(try JSONReader.parse(text) == value, "\(text)")
        }
    }
}
