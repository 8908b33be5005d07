import Foundation
import Testing

@testable import PikaMemory

@Suite("Metadata filters")
struct MemoryFilterTests {
    func record(_ metadata: [String: JSONValue]) -> MemoryRecord {
        MemoryRecord(
            id: "x", scope: MemoryScope(tenant: "t", userID: "u"), text: "x", metadata: metadata,
            createdAt: Date(), updatedAt: Date())
    }

    func parse(_ json: String) throws -> MemoryFilter {
        try MemoryFilter.parse(JSONReader.parse(json))
    }

    @Test func operators() throws {
        let r = record(["category": .string("food"), "score": .number(7), "tags": .array([.string("a"), .string("b")])])
        #expect(try parse(#"{"category": "food"}"#).matches(r))
        #expect(try parse(#"{"category": {"ne": "toys"}}"#).matches(r))
        #expect(try parse(#"{"category": {"in": ["food", "toys"]}}"#).matches(r))
        #expect(!(try parse(#"{"category": {"nin": ["food"]}}"#).matches(r)))
        #expect(try parse(#"{"score": {"gt": 5, "lte": 7}}"#).matches(r))
        #expect(!(try parse(#"{"score": {"lt": 7}}"#).matches(r)))
        #expect(try parse(#"{"tags": {"contains": "b"}}"#).matches(r))
        #expect(try parse(#"{"category": {"contains": "OO"}}"#).matches(r))
        #expect(try parse(#"{"OR": [{"category": "toys"}, {"score": {"gte": 7}}]}"#).matches(r))
        #expect(!(try parse(#"{"NOT": [{"category": "food"}]}"#).matches(r)))
        #expect(try parse(#"{"AND": [{"category": "food"}, {"NOT": [{"missing": "x"}]}]}"#).matches(r))
    }

    @Test func rejectsBadFilters() {
        for bad in [#"{"category": {"regex": "f.*"}}"#, #"{"AND": {}}"#, #"{}"#, #"{"a": {"in": 3}}"#, #"{"a": {"gt": [1]}}"#, #"[1]"#] {
            #expect(throws: MemoryError.self) { try parse(bad) }
        }
    }
}
