import Foundation
import PikaMemory
import PikaTestSupport
import Testing

@testable import PikaService

@Suite("Search answers written without JSONEncoder", .blockingWork)
struct JSONWriterTests {
    private struct EncoderOut: Encodable {
        let results: [MemoryOut]
        let relations: [GraphRelation]
    }

    /// A deterministic generator, so a failure names a reproducible case.
    private struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func text() -> String {
            let pieces = ["plain", "quote \"x\"", "back\\slash", "a/b", "tab\t", "line\nbreak", "\u{1}\u{1F}", "Hà Nội", "🍕", "\r", " "]
            return (0..<next(4)).map { _ in pieces[next(pieces.count)] }.joined()
        }
        mutating func value(depth: Int = 0) -> JSONValue {
            switch next(depth > 1 ? 4 : 6) {
            case 0: return .null
            case 1: return .bool(next(2) == 0)
            case 2: return .number([0, -3, 42, 0.25, -1e-7, 1.5e300, 123_456_789_012, Double(next(1000)) / 7][next(8)])
            case 3: return .string(text())
            case 4: return .array((0..<next(3)).map { _ in value(depth: depth + 1) })
            default: return .object(Dictionary((0..<next(3)).map { _ in ("k\(next(50))" + text(), value(depth: depth + 1)) }) { a, _ in a })
            }
        }
    }

    @Test func theWriterGivesTheSameJSONAsTheEncoder() throws {
        var g = Generator(state: 7)
        for round in 0..<300 {
            let results = (0..<g.next(12)).map { i in
                MemoryOut(
                    record: MemoryRecord(
                        id: "id-\(round)-\(i)", scope: MemoryScope(tenant: "t", userID: "u" + g.text()),
                        agentID: g.next(2) == 0 ? nil : g.text(), runID: g.next(2) == 0 ? nil : "run",
                        text: g.text(), metadata: g.value().objectValue ?? ["k": g.value()],
                        provenance: (0..<g.next(3)).map { _ in g.text() },
                        createdAt: Date(timeIntervalSince1970: Double(g.next(2_000_000_000))),
                        updatedAt: Date(timeIntervalSince1970: Double(g.next(2_000_000_000)) + 0.123)),
                    score: g.next(3) == 0 ? nil : [1, 0.5606121, 0, 12.75, 1e-9, 3.4e30][g.next(6)])
            }
            let relations = (0..<g.next(3)).map { _ in GraphRelation(source: g.text(), relation: "likes", target: g.text()) }
            let written = Data(SearchAnswerJSON.bytes(results: results, relations: relations))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let encoded = try encoder.encode(EncoderOut(results: results, relations: relations))
            let a = try JSONReader.parse(written)
            let b = try JSONReader.parse(encoded)
            #expect(a == b, "round \(round): \(String(decoding: written, as: UTF8.self))")
        }
    }

    @Test func sameBytesAsTheEncoderForAnOrdinaryAnswer() throws {
        let record = MemoryRecord(
            id: "m1", scope: MemoryScope(tenant: "t", userID: "u1"), text: "Bé thích \"khủng long\" 🦖",
            metadata: ["n": .number(3), "tags": .array([.string("a/b")])],
            provenance: ["msg:0"], createdAt: Date(timeIntervalSince1970: 1_700_000_000.5),
            updatedAt: Date(timeIntervalSince1970: 1_700_000_001))
        let results = [MemoryOut(record: record, score: 1), MemoryOut(record: record, score: nil)]
        let relations = [GraphRelation(source: "bé", relation: "likes", target: "khủng long")]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let encoded = try encoder.encode(EncoderOut(results: results, relations: relations))
        #expect(
            String(decoding: SearchAnswerJSON.bytes(results: results, relations: relations), as: UTF8.self)
                == String(decoding: encoded, as: UTF8.self))
    }

    @Test func controlCharactersAndQuotesAreEscaped() {
        var json = JSONWriter()
        json.string("a\"b\\c\n\u{1}/é")
        #expect(String(decoding: json.bytes, as: UTF8.self) == #""a\"b\\c\n\u0001/é""#)
    }
}
