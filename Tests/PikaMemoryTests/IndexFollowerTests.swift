import Foundation
import Logging
import PikaEmbeddings
import PikaMemory
import Synchronization
import Testing

@testable import PikaRelational

/// Two managers on one SQLite file through separate connections, as `pika serve` and a
/// `pika worker` process are: the writer's commits reach the follower's index through the change feed.
@Suite("Index follower (processes sharing one data directory)")
struct IndexFollowerTests {
    let scope = MemoryScope(tenant: "t", userID: "u")

    struct Pair {
        let writer: MemoryManager
        let reader: MemoryManager
        let follower: IndexFollower
        let notified: Notified
    }

    /// Scopes the reader's write observers were told about.
    final class Notified: Sendable {
        let scopes = Mutex<[MemoryScope]>([])
    }

    func pair() async throws -> Pair {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pika-follow-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var logger = Logger(label: "follower-test")
        logger.logLevel = .warning
        func manager() async throws -> MemoryManager {
            let database = try RelationalSchema.open(path: directory + "/pika.sqlite")
            return try await MemoryManager(
                store: SQLiteMemoryStore(database: database), graph: SQLiteGraphStore(database: database),
                embedder: try HashingEmbedder(), extractor: RuleExtractor(), logger: logger)
        }
        let writer = try await manager()
        _ = try await writer.add(input("my dog is called Rex"), scope: scope)  // before the reader starts
        let readerDatabase = try RelationalSchema.open(path: directory + "/pika.sqlite")
        let start = try await SQLiteMemoryStore(database: readerDatabase).lastChange()
        let reader = try await MemoryManager(
            store: SQLiteMemoryStore(database: readerDatabase), graph: SQLiteGraphStore(database: readerDatabase),
            embedder: try HashingEmbedder(), extractor: RuleExtractor(), logger: logger)
        let notified = Notified()
        reader.writeObservers.add { scope in notified.scopes.withLock { $0.append(scope) } }
        return Pair(
            writer: writer, reader: reader, follower: IndexFollower(manager: reader, startingAfter: start, logger: logger),
            notified: notified)
    }

    func input(_ text: String) -> AddInput {
        AddInput(messages: [ConversationMessage(role: "user", content: text)], infer: false)
    }

    func vectorSearch(_ manager: MemoryManager, _ text: String) async throws -> [String] {
        try await manager.search(SearchQuery(text: text, scope: scope, limit: 10, mode: .vector)).results.map(\.record.text)
    }

    @Test func startsFromWhatTheStoreHeldAndAppliesNothingTwice() async throws {
        let pair = try await pair()
        #expect(try await vectorSearch(pair.reader, "my dog is called Rex") == ["my dog is called Rex"])
        #expect(try await pair.follower.catchUp() == 0)
    }

    @Test func anAddInAnotherProcessReachesTheIndexOnCatchUp() async throws {
        let pair = try await pair()
        let id = try await pair.writer.add(input("I love strawberry ice cream"), scope: scope)[0].id
        let label = try #require(try await pair.writer.store.record(id: id, tenant: "t")).label
        #expect(!pair.reader.index.contains(label: label))
        #expect(try await pair.follower.catchUp() == 1)
        #expect(pair.reader.index.contains(label: label))
        #expect(try await vectorSearch(pair.reader, "I love strawberry ice cream").first == "I love strawberry ice cream")
        #expect(pair.notified.scopes.withLock { $0 } == [scope])
    }

    @Test func updatesMoveTheVectorAndDeletesRemoveIt() async throws {
        let pair = try await pair()
        let id = try await pair.writer.add(input("I live in Hanoi"), scope: scope)[0].id
        try await pair.follower.catchUp()
        _ = try await pair.writer.update(id: id, tenant: "t", text: "I moved to Da Nang last summer", metadata: nil)
        try await pair.follower.catchUp()
        let label = try #require(try await pair.reader.store.record(id: id, tenant: "t")).label
        let stored = try pair.reader.index.vector(for: label)
        let expected = try await HashingEmbedder().embed(["I moved to Da Nang last summer"])[0]
        #expect(zip(stored, expected).allSatisfy { abs($0 - $1) < 1e-5 })

        try await pair.writer.delete(id: id, tenant: "t")
        try await pair.follower.catchUp()
        #expect(!pair.reader.index.contains(label: label))
    }

    @Test func deletingAUserInAnotherProcessEmptiesItHere() async throws {
        let pair = try await pair()
        for text in ["I like kites", "my sister is Lan"] { _ = try await pair.writer.add(input(text), scope: scope) }
        try await pair.follower.catchUp()
        let number = try #require(try await pair.reader.store.scopeNumber(for: scope, create: false))
        #expect(pair.reader.index.count(tenant: number) == 3)
        _ = try await pair.writer.deleteUser(scope)
        try await pair.follower.catchUp()
        #expect(pair.reader.index.count(tenant: number) == 0)
        #expect(try await vectorSearch(pair.reader, "kites").isEmpty)
    }

    @Test func aFollowingManagerCatchesUpBeforeEverySearch() async throws {
        let pair = try await pair()
        let start = try await pair.reader.store.lastChange()
        pair.reader.followOtherWriters(startingAfter: start)
        _ = try await pair.writer.add(input("my favourite colour is green"), scope: scope)
        #expect(try await vectorSearch(pair.reader, "my favourite colour is green").first == "my favourite colour is green")
    }

    /// Without Redis the version tags live in this process: a cached answer must still give way to
    /// a write another process committed, because the tiers catch up before reading any tag.
    @Test func cachedAnswersGiveWayToAnotherProcessesWrite() async throws {
        let pair = try await pair()
        pair.reader.followOtherWriters(startingAfter: try await pair.reader.store.lastChange())
        let tiers = TieredSearch(manager: pair.reader, backend: InProcessCache(), summaries: nil, metrics: CacheMetrics())
        let query = SearchQuery(text: "what is my dog called", scope: scope, limit: 10, mode: .vector)
        #expect(try await tiers.search(query).source == nil)
        let cached = try await tiers.search(query)
        #expect(cached.source == .l0 && cached.answer.results.map(\.record.text) == ["my dog is called Rex"])

        _ = try await pair.writer.add(input("my dog is called Milo now"), scope: scope)
        let after = try await tiers.search(query)
        #expect(after.source == nil, "answered from \(String(describing: after.source)) after another process's write")
        #expect(after.answer.results.map(\.record.text).contains("my dog is called Milo now"))
    }

    /// The follower passes over the changes its own store wrote: the local write applied them already,
    /// so the user's keyword index (updated in place) survives, the observers (the version-tag bump)
    /// hear of each write once, and the vector stays. Another store's write is still applied.
    @Test func aProcessesOwnWritesAreNotAppliedAgain() async throws {
        let pair = try await pair()
        _ = try await pair.reader.search(SearchQuery(text: "dog", scope: scope, limit: 10, mode: .keyword))
        #expect(pair.reader.keywordIndexes.isResident(scope))

        let id = try await pair.reader.add(input("I collect old stamps"), scope: scope)[0].id
        let label = try #require(try await pair.reader.store.record(id: id, tenant: "t")).label
        #expect(pair.notified.scopes.withLock { $0 } == [scope])
        #expect(try await pair.follower.catchUp() == 0)
        #expect(pair.reader.keywordIndexes.isResident(scope), "catchUp dropped the keyword index after this process's own write")
        #expect(pair.notified.scopes.withLock { $0 } == [scope], "the write was announced twice")
        #expect(pair.reader.index.contains(label: label))
        let found = try await pair.reader.search(SearchQuery(text: "stamps", scope: scope, limit: 10, mode: .keyword))
        #expect(found.results.map(\.record.text) == ["I collect old stamps"])

        _ = try await pair.writer.add(input("I play the violin"), scope: scope)
        #expect(try await pair.follower.catchUp() == 1)
        #expect(!pair.reader.keywordIndexes.isResident(scope))
        #expect(pair.notified.scopes.withLock { $0 } == [scope, scope])
    }

    /// The feed tells each store which changes it wrote itself.
    @Test func theFeedMarksTheReadingStoresOwnChanges() async throws {
        let pair = try await pair()
        let before = try await pair.reader.store.lastChange()
        _ = try await pair.reader.add(input("mine"), scope: scope)
        _ = try await pair.writer.add(input("theirs"), scope: scope)
        #expect(try await pair.reader.store.changes(after: before, limit: 10).changes.map(\.writtenHere) == [true, false])
        #expect(try await pair.writer.store.changes(after: before, limit: 10).changes.map(\.writtenHere) == [false, true])
    }

    @Test func theFeedIsGaplessAndReadInOrder() async throws {
        let pair = try await pair()
        let before = try await pair.writer.store.lastChange()
        for text in ["one fact", "two facts", "three facts"] { _ = try await pair.writer.add(input(text), scope: scope) }
        let (changes, last) = try await pair.reader.store.changes(after: before, limit: 2)
        #expect(changes.count == 2)
        #expect(last == before + 2)
        let (rest, end) = try await pair.reader.store.changes(after: last, limit: 100)
        #expect(rest.count == 1)
        #expect(end == before + 3)
        #expect(Set((changes + rest).map(\.scope)) == [scope])
    }
}
