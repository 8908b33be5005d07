import Foundation
import Logging
import PikaEmbeddings
import PikaMemory
import Testing

@testable import PikaRelational

/// The search-path speed-ups keep behaviour: in-place keyword index updates score like a rebuild,
/// the hand-written timestamps match `ISO8601DateFormatter`, stored provenance lists read back.
@Suite("Search path")
struct SearchPathTests {
    let scope = MemoryScope(tenant: "t", userID: "u")

    func manager() async throws -> MemoryManager { try await sqliteManager(label: "search-path-test") }

    func add(_ manager: MemoryManager, _ text: String, infer: Bool = false) async throws -> [AddResult] {
        let input = AddInput(messages: [ConversationMessage(role: "user", content: text)], infer: infer)
        return try await manager.add(input, scope: scope)
    }

    func ranking(_ manager: MemoryManager, _ text: String, _ mode: SearchMode) async throws -> [String] {
        try await manager.search(SearchQuery(text: text, scope: scope, limit: 20, mode: mode)).results
            .map { "\($0.record.id) \($0.score)" }
    }

    @Test func addsUpdatesAndDeletesApplyToTheResidentKeywordIndexInPlace() async throws {
        let manager = try await manager()
        for text in ["I love jazz.", "My sister Lan likes chess.", "I live in Hanoi.", "My favorite color is blue."] {
            _ = try await add(manager, text, infer: true)
        }
        _ = try await ranking(manager, "jazz", .keyword)
        #expect(manager.keywordIndexes.isResident(scope))
        let documents = manager.keywordIndexes.residentDocuments

        // ADD, UPDATE (same single-valued attribute) and DELETE (retraction) through the pipeline.
        #expect(try await add(manager, "I love jazz and chess piano.")[0].event == .add)
        #expect(try await add(manager, "My favorite color is green.", infer: true)[0].event == .update)
        #expect(try await add(manager, "I don't like jazz anymore.", infer: true).map(\.event) == [.delete])
        #expect(manager.keywordIndexes.isResident(scope))  // kept in step, not dropped
        #expect(manager.keywordIndexes.residentDocuments == documents)  // +1 add, +0 update, −1 delete

        let queries = ["jazz", "chess", "favorite color green", "blue", "Hanoi", "Lan sister likes"]
        var inPlace: [String: [String]] = [:]
        for query in queries {
            for mode in [SearchMode.keyword, .hybrid] { inPlace["\(mode) \(query)"] = try await ranking(manager, query, mode) }
        }
        // Rebuilt from the store: the very same hits and scores.
        manager.keywordIndexes.invalidate(scope)
        for query in queries {
            for mode in [SearchMode.keyword, .hybrid] {
                #expect(try await ranking(manager, query, mode) == inPlace["\(mode) \(query)"], "\(mode) \(query)")
            }
        }
        #expect(try await ranking(manager, "green", .keyword).count == 1)
        #expect(try await ranking(manager, "blue", .keyword).isEmpty)  // the old text is gone
        #expect(try await ranking(manager, "jazz", .keyword).count == 1)  // the retracted memory is gone
    }

    @Test func timestampsMatchTheFoundationFormatter() {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var generator = SystemRandomNumberGenerator()
        var dates: [Date] = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 0.0005), Date(timeIntervalSince1970: 0.9999),
            Date(timeIntervalSince1970: 951_782_400.123),  // 2000-02-29 (leap day of a century year)
            Date(timeIntervalSince1970: 4_107_542_399.999),  // 2100-02-28T23:59:59.999 (not a leap year)
            Date(timeIntervalSince1970: 253_402_300_799.999), Date(timeIntervalSince1970: 253_402_300_800),  // 9999 → 10000
            Date(timeIntervalSince1970: -1.5), Date(timeIntervalSince1970: -12_219_292_800.25),  // before 1970, 1582
            Date(timeIntervalSince1970: 1_764_118_923.456_789), Date(),
        ]
        for _ in 0..<20_000 { dates.append(Date(timeIntervalSince1970: Double.random(in: 0..<4_102_444_800, using: &generator))) }
        // Near whole milliseconds, where truncation and rounding differ.
        for _ in 0..<5_000 {
            let millis = Double(Int64.random(in: 0..<4_102_444_800_000, using: &generator))
            dates.append(Date(timeIntervalSince1970: millis / 1000 + Double.random(in: -1e-6...1e-6, using: &generator)))
        }
        var mismatches: [String] = []
        for date in dates where ISO8601Timestamp.string(from: date) != formatter.string(from: date) {
            mismatches.append("\(date.timeIntervalSince1970): \(ISO8601Timestamp.string(from: date)) vs \(formatter.string(from: date))")
        }
        #expect(mismatches.count == 0, "\(mismatches.count) differ, e.g. \(mismatches.prefix(5))")
    }

    @Test func provenanceListsReadBackWithAndWithoutTheDecoder() {
        let lists: [[String]] = [
            [], ["msg:0"], ["msg:0", "msg:1", "D1:3"], ["", "a"], ["a\",\"b"], ["quote \" inside"], ["back\\slash"],
            ["ünïcode ✓", "tab\there"], ["]}", "{\"p\":["], ["a/b"],
        ]
        for list in lists {
            let text = SQLiteMemoryStore.encodeList(list)
            #expect(SQLiteMemoryStore.decodeList(text) == list, "\(text)")
        }
        #expect(SQLiteMemoryStore.plainList(#"{"p":["a","b"]}"#) == ["a", "b"])
        #expect(SQLiteMemoryStore.plainList(#"{"p":["a", "b"]}"#) == nil)  // not encodeList's spacing
        #expect(SQLiteMemoryStore.plainList(#"{"p":[1]}"#) == nil)
        #expect(SQLiteMemoryStore.decodeList(#"{"p":["a", "b"]}"#) == ["a", "b"])
        #expect(SQLiteMemoryStore.decodeList(nil) == [] && SQLiteMemoryStore.decodeList("garbage") == [])
    }
}
