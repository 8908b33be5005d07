import Foundation
import Testing

@testable import PikaMemory

/// ``JSONReader`` reads what `JSONDecoder` reads, to the same values, and refuses what RFC 8259 refuses.
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
