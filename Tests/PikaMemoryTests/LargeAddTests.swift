import Foundation
import Logging
import PikaEmbeddings
import PikaTestSupport
import Testing

@testable import PikaMemory
@testable import PikaRelational

/// The largest add a job carries: 200 messages of 20,000 characters, much of it said several times.
@Suite struct LargeAddTests {
    /// Sentence `k` of a pool: made-up names, so that no two sentences (nor the events holding them)
    /// are near-duplicates that consolidation would rightly merge.
    static func sentence(_ k: Int) -> String {
        let syllables = ["ka", "lo", "mi", "tu", "re", "sa", "no", "vi", "pe", "du"]
        func word(_ salt: Int) -> String {
            syllables[(k + salt) % 10] + syllables[(k / 10 + 3 * salt) % 10] + syllables[(k / 100 + 7 * salt) % 10] + "n"
        }
        return "Yesterday I visited \(word(0).capitalized) and \(word(1).capitalized) near \(word(2).capitalized) with my cousin. "
    }

    /// Message `index`: distinct sentences, each said in many messages (every sentence of the pool of
    /// 400 comes back in about 60 of them), up to 20,000 characters.
    static func message(_ index: Int) -> String {
        var text = ""
        var k = index * 7
        while text.count + sentence(k % 400).count <= 20_000 {
            text += sentence(k % 400)
            k += 1
        }
        return text
    }

    // CPU-heavy (4 MB of text through the rules): off the cooperative pool.
    @Test(.blockingWork, .timeLimit(.minutes(10))) func twoHundredLongMessagesKeepEverySentenceOnce() async throws {
        let database = try await temporaryDatabase()
        var logger = Logger(label: "large-add")
        logger.logLevel = .warning
        let manager = try await MemoryManager(
            store: SQLiteMemoryStore(database: database), graph: SQLiteGraphStore(database: database),
            embedder: try HashingEmbedder(), extractor: RuleExtractor(), logger: logger)
        let scope = MemoryScope(tenant: "t", userID: "u")
        let messages = (0..<200).map { ConversationMessage(role: "user", content: Self.message($0), name: "Ana") }
        #expect(messages.allSatisfy { $0.content.count > 19_900 && $0.content.count <= 20_000 })
        let time = DateShift.calendar.date(from: DateComponents(year: 2023, month: 5, day: 8, hour: 12))!
        let results = try await manager.add(AddInput(messages: messages, timestamp: time), scope: scope)
        #expect(!results.isEmpty)

        let records = try await manager.store.allRecords(scope: scope)
        let sentences = records.flatMap { EventRewriter.sentences($0.text) }
        // Each sentence is kept at most once, rewritten and dated; how many of the 400 stay apart is
        // consolidation's call (events whose vectors are near-duplicates are merged as NONE).
        let pool = Set(
            (0..<400).map {
                "On 7 May 2023 Ana"
                    + Self.sentence($0).dropFirst("Yesterday I".count).replacingOccurrences(of: "my cousin. ", with: "Ana's cousin.")
            })
        #expect(!sentences.isEmpty && Set(sentences).count == sentences.count)
        #expect(Set(sentences).isSubset(of: pool))
        #expect(records.allSatisfy { $0.text.count <= EventRewriter.maxEventLength })
        // The same add again keeps nothing new.
        let again = try await manager.add(AddInput(messages: messages, timestamp: time), scope: scope)
        #expect(again.allSatisfy { $0.event == .none })
        #expect(try await manager.store.allRecords(scope: scope).count == records.count)
    }
}
