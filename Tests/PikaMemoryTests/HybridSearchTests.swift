import Foundation
import Logging
import PikaEmbeddings
import PikaMemory
import Testing

@testable import PikaRelational

/// An embedder with hand-chosen vectors, so cosine similarities can be computed by hand.
/// Unknown texts get `fallback`.
private struct TableEmbedder: Embedder {
    let name = "table"
    let dimension = 4
    let table: [String: [Float]]
    var fallback: [Float] = [0, 0, 0, 1]

    func embed(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        texts.map { text in
            let raw = table[text] ?? fallback
            let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return raw.map { $0 / norm }
        }
    }
}

/// Okapi BM25 of one query term occurring once in a document (k1 0.9, b 0.4), by hand.
private func bm25(documents n: Double, containing df: Double, length: Double, averageLength: Double) -> Double {
    let idf = log(1 + (n - df + 0.5) / (df + 0.5))
    return idf * 1.9 / (1 + 0.9 * (1 - 0.4 + 0.4 * length / averageLength))
}

@Suite("Hybrid search in the memory service")
struct HybridSearchTests {
    let scope = MemoryScope(tenant: "t", userID: "u")

    func manager(_ table: [String: [Float]], documentCapacity: Int = 200_000) async throws -> MemoryManager {
        let database = try await temporaryDatabase()
        var logger = Logger(label: "hybrid-test")
        logger.logLevel = .warning
        return try await MemoryManager(
            store: SQLiteMemoryStore(database: database), graph: SQLiteGraphStore(database: database),
            embedder: TableEmbedder(table: table), extractor: RuleExtractor(),
            keywordIndexes: UserKeywordIndexes(documentCapacity: documentCapacity), logger: logger)
    }

    func add(_ manager: MemoryManager, _ text: String, metadata: [String: JSONValue] = [:], user: String = "u") async throws -> String {
        let input = AddInput(messages: [ConversationMessage(role: "user", content: text)], metadata: metadata, infer: false)
        return try await manager.add(input, scope: MemoryScope(tenant: "t", userID: user))[0].id
    }

    func search(
        _ manager: MemoryManager, _ text: String, _ mode: SearchMode, limit: Int = 10, filter: MemoryFilter? = nil,
        threshold: Float? = nil
    ) async throws -> [(text: String, score: Float)] {
        try await manager.search(SearchQuery(text: text, scope: scope, limit: limit, filter: filter, threshold: threshold, mode: mode))
            .results.map { ($0.record.text, $0.score) }
    }

    // Memories: "Minh plays the violin" → terms minh, plai, violin (3); "Favourite colour is teal" →
    // favourit, colour, teal (3); "Owns a dog named Rex" → own, dog, name, rex (4). Average length 10/3.
    static let table: [String: [Float]] = [
        "Minh plays the violin": [1, 0, 0, 0],
        "Favourite colour is teal": [0, 1, 0, 0],
        "Owns a dog named Rex": [0, 0, 1, 0],
        "violin lessons": [0.6, 0.8, 0, 0],  // cosine 0.6 with the violin memory, 0.8 with the colour one
        "which instrument": [1, 0, 0, 0],  // shares no term with any memory
    ]

    @Test func keywordFindsWhatVectorRanksLowAndHybridFusesBoth() async throws {
        let manager = try await manager(Self.table)
        for text in ["Minh plays the violin", "Favourite colour is teal", "Owns a dog named Rex"] { _ = try await add(manager, text) }

        let vector = try await search(manager, "violin lessons", .vector)
        #expect(vector.map(\.text) == ["Favourite colour is teal", "Minh plays the violin", "Owns a dog named Rex"])
        #expect(abs(vector[0].score - 0.8) < 1e-4 && abs(vector[1].score - 0.6) < 1e-4)

        // Only "violin" matches (df 1 of 3, length 3): one hit, scored by the BM25 formula.
        let keyword = try await search(manager, "violin lessons", .keyword)
        #expect(keyword.map(\.text) == ["Minh plays the violin"])
        let expected = bm25(documents: 3, containing: 1, length: 3, averageLength: 10.0 / 3)
        #expect(abs(Double(keyword[0].score) - expected) < 1e-5)

        // Confidence-weighted z-scores (FusionMethod.confidence). Cosines 0.8 (colour), 0.6 (violin),
        // 0 (dog): mean 7/15, sd √(26/225); BM25 b (violin) and 0, 0 for the others: mean b/3,
        // sd b·√2/3. z: colour 5/√26, violin 2/√26, dog −7/√26; violin √2, the others −1/√2.
        // Confidences 5/√26 and √2, so the keyword signal weighs more: the vector's weight is
        // w = cv^1.5 / (cv^1.5 + ck^1.5) (0.366). Fused and scaled to 0...1 over the three: violin 1,
        // dog 0, colour (12w/√26) / (9w/√26 + 3(1 − w)/√2) = 0.433.
        let hybrid = try await search(manager, "violin lessons", .hybrid)
        #expect(hybrid.map(\.text) == ["Minh plays the violin", "Favourite colour is teal", "Owns a dog named Rex"])
        let root26 = 26.0.squareRoot()
        let w = pow(5 / root26, 1.5) / (pow(5 / root26, 1.5) + pow(2.0.squareRoot(), 1.5))
        let colour = (12 * w / root26) / (9 * w / root26 + 3 * (1 - w) / 2.0.squareRoot())
        #expect(hybrid[0].score == 1 && abs(hybrid[1].score - Float(colour)) < 1e-5 && hybrid[2].score == 0)

        // Threshold applies to the mode's score: the fused score here.
        #expect(try await search(manager, "violin lessons", .hybrid, threshold: 0.6).map(\.text) == ["Minh plays the violin"])
        // The default mode is hybrid.
        let byDefault = try await manager.search(SearchQuery(text: "violin lessons", scope: scope))
        #expect(byDefault.results.first?.record.text == "Minh plays the violin")
    }

    @Test func vectorFindsWhatKeywordMisses() async throws {
        let manager = try await manager(Self.table)
        for text in ["Minh plays the violin", "Favourite colour is teal", "Owns a dog named Rex"] { _ = try await add(manager, text) }
        #expect(try await search(manager, "which instrument", .keyword).isEmpty)
        #expect(try await search(manager, "which instrument", .vector, limit: 1).map(\.text) == ["Minh plays the violin"])
        // With no keyword match the keyword signal is flat (every candidate at BM25 0) and has no
        // confidence: the vector signal alone ranks, and its best memory scores 1.
        let hybrid = try await search(manager, "which instrument", .hybrid, limit: 1)
        #expect(hybrid.map(\.text) == ["Minh plays the violin"] && hybrid[0].score == 1)
    }

    @Test func updatesAndDeletesReachTheKeywordSignal() async throws {
        let manager = try await manager(Self.table)
        let violin = try await add(manager, "Minh plays the violin")
        let dog = try await add(manager, "Owns a dog named Rex")
        #expect(try await search(manager, "violin", .keyword).map(\.text) == ["Minh plays the violin"])
        #expect(manager.keywordIndexes.isResident(scope))

        _ = try await manager.update(id: dog, tenant: "t", text: "Owns a violin and a dog", metadata: nil)
        #expect(!manager.keywordIndexes.isResident(scope))  // the write dropped the index
        // Both match now; the shorter memory ("minh plai violin", 3 terms vs "own violin dog", 3) ties
        // and goes to the smaller label, so check the set and the exact BM25 of a 2-of-2 term.
        let both = try await search(manager, "violin", .keyword)
        #expect(Set(both.map(\.text)) == ["Minh plays the violin", "Owns a violin and a dog"])
        let expected = bm25(documents: 2, containing: 2, length: 3, averageLength: 3)
        #expect(both.allSatisfy { abs(Double($0.score) - expected) < 1e-5 })

        try await manager.delete(id: violin, tenant: "t")
        #expect(try await search(manager, "violin", .keyword).map(\.text) == ["Owns a violin and a dog"])
        #expect(try await search(manager, "rex", .keyword).isEmpty)  // the old text is gone too

        _ = try await manager.deleteUser(scope)
        #expect(!manager.keywordIndexes.isResident(scope))
        #expect(try await search(manager, "violin", .keyword).isEmpty)
        #expect(manager.keywordIndexes.residentDocuments == 0)  // rebuilt from nothing, if at all
    }

    @Test func filtersApplyToBothSignalsBeforeTopK() async throws {
        let manager = try await manager([
            "Minh plays the violin": [1, 0, 0, 0], "Sells violin strings": [0.9, 0.1, 0, 0], "violin": [1, 0, 0, 0],
        ])
        _ = try await add(manager, "Minh plays the violin", metadata: ["topic": .string("music")])
        _ = try await add(manager, "Sells violin strings", metadata: ["topic": .string("shop")])
        let shop = try MemoryFilter.parse(.object(["topic": .object(["eq": .string("shop")])]))
        // Unfiltered, the music memory ranks first in every mode (equal BM25, smaller label; higher cosine).
        for mode in SearchMode.allCases {
            #expect(try await search(manager, "violin", mode, limit: 1).map(\.text) == ["Minh plays the violin"])
            // Filtered with limit 1, the shop memory is still found: the filter ran before the top-1 cut.
            #expect(try await search(manager, "violin", mode, limit: 1, filter: shop).map(\.text) == ["Sells violin strings"])
        }
    }

    @Test func indexesAreEvictedLeastRecentlyUsedFirst() async throws {
        let manager = try await manager(Self.table, documentCapacity: 4)
        for user in ["a", "b", "c"] {
            _ = try await add(manager, "Minh plays the violin", user: user)
            _ = try await add(manager, "Owns a dog named Rex", user: user)
        }
        func touch(_ user: String) async throws {
            _ = try await manager.search(SearchQuery(text: "violin", scope: MemoryScope(tenant: "t", userID: user), mode: .keyword))
        }
        try await touch("a")
        try await touch("b")
        #expect(manager.keywordIndexes.residentUsers == 2 && manager.keywordIndexes.residentDocuments == 4)
        try await touch("a")  // a is now more recent than b
        try await touch("c")  // over capacity: b goes
        let resident = ["a", "b", "c"].filter { manager.keywordIndexes.isResident(MemoryScope(tenant: "t", userID: $0)) }
        #expect(resident == ["a", "c"])
        #expect(manager.keywordIndexes.residentDocuments == 4)
    }
}

@Suite("Per-user keyword indexes")
struct UserKeywordIndexesTests {
    let scope = MemoryScope(tenant: "t", userID: "u")

    static func record(_ label: UInt64, _ text: String) -> MemoryRecord {
        MemoryRecord(
            id: "m\(label)", label: label, scope: MemoryScope(tenant: "t", userID: "u"), text: text,
            createdAt: Date(), updatedAt: Date())
    }

    @Test func aWriteDuringABuildKeepsTheStaleIndexOut() async throws {
        let indexes = UserKeywordIndexes()
        let (gate, opener) = AsyncStream<Void>.makeStream()
        let (started, starter) = AsyncStream<Void>.makeStream()
        let stale = Task {
            try await indexes.index(for: scope) {
                starter.yield()
                for await _ in gate { break }
                return [Self.record(1, "old text")]
            }
        }
        for await _ in started { break }
        indexes.invalidate(scope)  // a write commits while the build is reading
        opener.yield()
        #expect(try await stale.value.count == 1)  // the waiting search still gets an answer
        #expect(!indexes.isResident(scope))  // but the pre-write index is not kept
        let fresh = try await indexes.index(for: scope) { [Self.record(1, "new text"), Self.record(2, "more")] }
        #expect(fresh.count == 2 && indexes.isResident(scope))
        // Resident now: the loader is not called again.
        let cached = try await indexes.index(for: scope) {
            Issue.record("rebuilt a resident index")
            return []
        }
        #expect(cached.count == 2)
    }

    @Test func concurrentSearchesShareOneBuild() async throws {
        let indexes = UserKeywordIndexes()
        let loads = LoadCounter()
        try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await indexes.index(for: scope) {
                        await loads.increment()
                        try await Task.sleep(for: .milliseconds(50))
                        return [Self.record(1, "one")]
                    }.count
                }
            }
            for try await count in group { #expect(count == 1) }
        }
        #expect(await loads.value == 1)
    }
}

private actor LoadCounter {
    var value = 0
    func increment() { value += 1 }
}
