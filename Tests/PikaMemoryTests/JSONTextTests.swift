import Foundation
import Testing

@testable import PikaMemory

/// ``JSONValue/jsonText`` (``JSONWriter``) writes byte for byte what `JSONEncoder` with sorted keys
/// and unescaped slashes writes: stored metadata and cache keys (shared in Redis across versions)
/// must not change with the writer.
@Suite("JSON text of a value")
struct JSONTextTests {
    static func encoderText(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func stringsAreQuotedAsTheEncoderQuotes() throws {
        var texts = CachedAnswerTests.texts + ["\u{7F}\u{80}\u{2028}\u{FEFF}", "\"\\/\u{8}\u{C}", String(repeating: "ab/", count: 300)]
        texts += (0..<128).map { String(UnicodeScalar(UInt8($0))) }
        for text in texts {
            #expect(JSONValue.string(text).jsonText == (try Self.encoderText(.string(text))), "\(Array(text.utf8))")
        }
    }

    @Test func valuesAreWrittenAsTheEncoderWritesThem() throws {
        let numbers: [Double] = [
            0, -0.0, 1, -3, 42, 0.25, -1e-7, 1.5e300, 123_456_789_012, 9.0e15, 9.0e15 - 1, 9_999_999_999_999_998, 1e16, 1e21, -4.5e15 * 2,
            .leastNonzeroMagnitude, 1.0 / 3,
        ]
        var values: [JSONValue] = [.null, .bool(true), .bool(false), .array([]), .object([:])] + numbers.map { .number($0) }
        values.append(.object(["b": .array([.number(1), .string("x/y"), .null]), "a": .object(["z": .bool(false), "é": .number(0.5)])]))
        for value in values {
            #expect(value.jsonText == (try Self.encoderText(value)), "\(value)")
        }
        #expect(JSONValue.encodeObject(["k": .string("v"), "a": .number(2)]) == #"{"a":2,"k":"v"}"#)
    }

    /// Scores are `Float`s: written as `JSONEncoder` writes them, past 10^7 too.
    @Test func scoresAreWrittenAsTheEncoderWritesThem() throws {
        for score: Float in [0, 0.5, 0.123_456_7, 1e-7, 9_999_999, 1e7, 12_345_678, 3.4e38, -2.5e9] {
            var writer = JSONWriter()
            writer.number(score)
            #expect(
                String(decoding: writer.bytes, as: UTF8.self) == String(decoding: try JSONEncoder().encode(score), as: UTF8.self),
                "\(score)")
        }
    }

    /// What an `Encodable` becomes, and that text and reader agree both ways.
    @Test func encodablesAndRoundTrips() throws {
        struct Sample: Encodable { let name: String, count: Int, tags: [String], nested: [String: Double] }
        let value = try JSONValue(encoding: Sample(name: "Lan", count: 3, tags: ["a/b"], nested: ["x": 0.5]))
        #expect(
            value
                == .object([
                    "name": .string("Lan"), "count": .number(3), "tags": .array([.string("a/b")]), "nested": .object(["x": .number(0.5)]),
                ]))
        #expect(try JSONReader.parse(value.jsonText) == value)
    }
}
