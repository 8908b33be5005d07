import Foundation
import PikaTestSupport
import Testing

@testable import PikaMemory

/// The L1 tier's cached answers are written by `JSONWriter`, not `JSONEncoder`: the bytes must be
/// what `JSONEncoder` (sorted keys, unescaped slashes) writes, and a hit must decode to exactly the
/// answer that was stored.
@Suite("Cached answers written without JSONEncoder")
struct CachedAnswerTests {
    static let texts = ["plain", "quote \"x\" and back\\slash", "a/b\ttab", "line\nbreak\r", "\u{1}\u{1F}", "Hà Nội 🍕", ""]
    static let values: [JSONValue] = [
        .null, .bool(true), .number(42), .number(-0.25), .number(1.5e300), .number(123_456_789_012), .string("a/b\n"),
        .array([.number(1), .string("é"), .null]), .object(["z": .number(1), "a": .object(["k": .bool(false)])]),
    ]
    static let scores: [Float?] = [nil, 1, 0.5606121, 0, 12.75, 1e-9, 3.4e30, -0.125]
    static let times: [Double] = [0, 1_700_000_000, 1_700_000_000.5, 1_764_125_647.123456, 1e16 + 2]

    /// The `n`th of a deterministic spread of records: each field cycles through its cases at its own pace.
    static func record(_ n: Int) -> (MemoryRecord, Float?) {
        let text = { (offset: Int) in texts[(n + offset) % texts.count] }
        let record = MemoryRecord(
            id: "id-\(n)", label: UInt64(n) * 7_919 + (n % 3 == 0 ? UInt64.max / 2 : 0),
            scope: MemoryScope(tenant: "t/\(text(1))", userID: "u\(text(2))"),
            agentID: n % 2 == 0 ? nil : text(3), runID: n % 3 == 1 ? nil : "run-\(text(4))", text: text(0),
            metadata: Dictionary((0..<(n % 4)).map { ("k\(($0 * 5 + n) % 7)\(text($0))", values[(n + $0) % values.count]) }) { a, _ in a },
            attribute: n % 5 == 0 ? "favorite_color" : nil, provenance: (0..<(n % 3)).map { "msg:\($0) \(text($0))" },
            createdAt: Date(timeIntervalSince1970: times[n % times.count]),
            updatedAt: Date(timeIntervalSince1970: times[(n / 2) % times.count] + 0.001))
        return (record, scores[n % scores.count])
    }

    static func answer(_ n: Int) -> CachedAnswer {
        var entry = CachedAnswer(
            query: "v1\nmode=hybrid\ntext=\"q \(texts[n % texts.count])\"", answer: SearchAnswer(results: [], relations: []))
        entry.results = (0..<(n % 12)).map { i in
            let (record, score) = record(n * 13 + i)
            return CachedRecord(record, score: score)
        }
        entry.relations = (0..<(n % 3)).map { GraphRelation(source: texts[$0], relation: "likes", target: texts[(n + $0) % texts.count]) }
        return entry
    }

    static func sortedEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    @Test func bytesAreWhatTheSortedEncoderWrites() throws {
        for n in 0..<400 {
            let entry = Self.answer(n)
            let written = try entry.encoded()
            let encoded = try Self.sortedEncoder().encode(entry)
            #expect(String(decoding: written, as: UTF8.self) == String(decoding: encoded, as: UTF8.self), "case \(n)")
        }
    }

    @Test(.blockingWork) func aHitDecodesToTheAnswerThatWasStored() throws {
        for n in 0..<400 {
            let entry = Self.answer(n)
            // What the tier stored before (the default JSONEncoder) and stores now decode to the
            // same answer, the one that was stored.
            let before = try #require(CachedAnswer.decode(Array(JSONEncoder().encode(entry)), query: entry.query))
            let now = try #require(CachedAnswer.decode(try entry.encoded(), query: entry.query))
            let json = { (answer: SearchAnswer) in try Self.sortedEncoder().encode(CachedAnswer(query: entry.query, answer: answer)) }
            #expect(try json(now) == json(before), "case \(n)")
            #expect(try json(now) == json(entry.answer), "case \(n)")
            #expect(CachedAnswer.decode(try entry.encoded(), query: entry.query + " ") == nil)
        }
    }

    @Test func nonFiniteNumbersAreRefusedAsTheEncoderRefusesThem() {
        var entry = Self.answer(5)
        entry.results[0].score = .nan
        #expect(throws: EncodingError.self) { try entry.encoded() }
        entry = Self.answer(5)
        entry.results[1].createdAt = .infinity
        #expect(throws: EncodingError.self) { try entry.encoded() }
    }
}
