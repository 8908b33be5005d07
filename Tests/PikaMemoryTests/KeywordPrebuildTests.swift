import Foundation
import Logging
import PikaEmbeddings
import Synchronization
import Testing

@testable import PikaMemory
@testable import PikaRelational

/// The start-up build of the users' keyword indexes (`MemoryManager.prebuildKeywordIndexes`): it
/// builds what the first searches would have built, stays within the capacity, and never installs
/// an index older than a write that has returned.
@Suite("Keyword index prebuild")
struct KeywordPrebuildTests {
    /// Holds the first `allRecords` of `gated` after it read the store, until `release()`: a
    /// build that read the store before a write.
    final class Gate: Sendable {
        let gated: MemoryScope
        private let armed = Mutex(true)
        private let reachedStream = AsyncStream<Void>.makeStream()
        private let releaseStream = AsyncStream<Void>.makeStream()

        init(_ gated: MemoryScope) { self.gated = gated }

        func hold(_ scope: MemoryScope) async {
            guard scope == gated,
                armed.withLock({ armed in
                    defer { armed = false }
                    return armed
                })
            else { return }
            reachedStream.continuation.yield()
            for await _ in releaseStream.stream { break }
        }

        /// Waits until the gated read has happened (at most 30 s).
        func waitUntilReached() async throws {
            try await deadline("the prebuild never read the gated user") {
                for await _ in self.reachedStream.stream { return }
            }
        }

        func release() { releaseStream.continuation.yield() }
    }

    static let words = ["violin", "teal", "dog", "chess", "tea", "hiking", "paris", "sushi", "guitar", "rain"]

    /// Memories per user: user `u<i>` gets `counts[i]` memories built from `words`.
    let counts = [7, 5, 3, 6, 4]

    func scope(_ user: Int) -> MemoryScope { MemoryScope(tenant: "t", userID: "u\(user)") }

    func manager(
        _ database: SQLiteDatabase, store: (any MemoryRecordStore)? = nil, documentCapacity: Int = 200_000
    ) async throws -> MemoryManager {
        var logger = Logger(label: "prebuild-test")
        logger.logLevel = .warning
        return try await MemoryManager(
            store: store ?? SQLiteMemoryStore(database: database), graph: SQLiteGraphStore(database: database),
            embedder: try HashingEmbedder(dimension: 64), extractor: RuleExtractor(),
            keywordIndexes: UserKeywordIndexes(documentCapacity: documentCapacity), logger: logger)
    }

    /// A database holding `counts` memories per user, written by a manager that is then dropped (a restart).
    func seededDatabase() async throws -> SQLiteDatabase {
        let database = try await temporaryDatabase()
        let writer = try await manager(database)
        for (user, count) in counts.enumerated() {
            let messages = (0..<count).map { i in
                ConversationMessage(
                    role: "user", content: "I like \(Self.words[(user + i) % 10]) and \(Self.words[(user * 3 + i * 7) % 10]) \(i)")
            }
            _ = try await writer.add(AddInput(messages: messages, infer: false), scope: scope(user))
        }
        return database
    }

    /// Ids and scores of a search, the comparable part of an answer.
    func answer(_ manager: MemoryManager, _ text: String, user: Int, mode: SearchMode) async throws -> [String] {
        try await manager.search(SearchQuery(text: text, scope: scope(user), limit: 10, mode: mode))
            .results.map { "\($0.record.id) \($0.record.text) \($0.score)" }
    }

    /// Every user's answers to a few questions in keyword and hybrid mode.
    func answers(_ manager: MemoryManager) async throws -> [String] {
        var all: [String] = []
        for user in counts.indices {
            for text in ["violin tea", "dog", "sushi rain guitar"] {
                for mode in [SearchMode.keyword, .hybrid] { all += try await answer(manager, text, user: user, mode: mode) }
            }
        }
        return all
    }

    @Test func prebuildsEveryLoadedUserAndAnswersLikeFirstSearchBuilds() async throws {
        let database = try await seededDatabase()
        let prebuilt = try await manager(database)
        #expect(prebuilt.keywordPrebuild.snapshot == KeywordPrebuildProgress.Snapshot())
        try await prebuilt.prebuildKeywordIndexes()

        let progress = prebuilt.keywordPrebuild.snapshot
        #expect(progress.started && progress.finished)
        #expect(progress.users == counts.count && progress.built == counts.count && progress.skipped == 0)
        #expect(progress.documents == counts.reduce(0, +))
        #expect(prebuilt.keywordIndexes.residentUsers == counts.count)
        #expect(prebuilt.keywordIndexes.residentDocuments == counts.reduce(0, +))

        let lazy = try await manager(database)
        #expect(lazy.keywordIndexes.residentUsers == 0)
        let expected = try await answers(lazy)
        #expect(!expected.isEmpty)
        #expect(try await answers(prebuilt) == expected)
    }

    @Test func staysWithinTheDocumentCapacityLargestUsersFirst() async throws {
        let database = try await seededDatabase()
        // 7 (u0) fits, 6 (u3) does not (3 left), 5 and 4 do not either, 3 (u2) does: 10 documents.
        let prebuilt = try await manager(database, documentCapacity: 10)
        try await prebuilt.prebuildKeywordIndexes()

        let progress = prebuilt.keywordPrebuild.snapshot
        #expect(progress.built == 2 && progress.skipped == 3 && progress.documents == 10 && progress.finished)
        #expect(prebuilt.keywordIndexes.isResident(scope(0)) && prebuilt.keywordIndexes.isResident(scope(2)))
        #expect(!prebuilt.keywordIndexes.isResident(scope(3)))
        #expect(prebuilt.keywordIndexes.residentDocuments == 10)
        // A user left out is built on their first search, as without a prebuild.
        let lazy = try await manager(database, documentCapacity: 10)
        #expect(try await answer(prebuilt, "dog tea", user: 3, mode: .keyword) == answer(lazy, "dog tea", user: 3, mode: .keyword))
    }

    @Test func aStoreThatCannotBeReadStopsThePrebuildAndSearchesStillAnswer() async throws {
        let database = try await seededDatabase()
        let store = HookedRecordStore(base: SQLiteMemoryStore(database: database))
        let prebuilt = try await manager(database, store: store)
        store.recordsByLabelsFail.withLock { $0 = true }
        await #expect(throws: HookedRecordStore.Unreadable.self) { try await prebuilt.prebuildKeywordIndexes() }
        store.recordsByLabelsFail.withLock { $0 = false }

        let progress = prebuilt.keywordPrebuild.snapshot
        #expect(progress.started && progress.stopped && !progress.finished)
        #expect(progress.built == 0 && prebuilt.keywordIndexes.residentUsers == 0)
        // Every user is then built on first search, answering as without a prebuild.
        let lazy = try await manager(database)
        #expect(try await answers(prebuilt) == answers(lazy))
    }

    @Test func writesDuringAPrebuildAreNeverLostFromTheKeywordIndex() async throws {
        let database = try await seededDatabase()
        let user = 0  // the largest, built first
        let gate = Gate(scope(user))
        let store = HookedRecordStore(base: SQLiteMemoryStore(database: database)) { await gate.hold($0) }
        let manager = try await manager(database, store: store)
        let prebuild = Task { try await manager.prebuildKeywordIndexes() }
        try await gate.waitUntilReached()  // the build has read user 0's memories and not returned

        let before = try await manager.list(scope: scope(user), agentID: nil, runID: nil, after: 0, limit: 100).records
        let added = try await manager.add(
            AddInput(messages: [ConversationMessage(role: "user", content: "I collect zebra stamps")], infer: false),
            scope: scope(user))[0].id
        _ = try await manager.update(id: before[0].id, tenant: "t", text: "My quokka is called Ada", metadata: nil)
        try await manager.delete(id: before[1].id, tenant: "t")
        // A search after the writes returned does not wait for the stale build: it sees them.
        let during = try await answer(manager, "zebra quokka", user: user, mode: .keyword)
        #expect(during.count == 2 && during.contains { $0.hasPrefix(added) } && during.contains { $0.hasPrefix(before[0].id) })

        gate.release()
        try await deadline("the prebuild did not finish") { try await prebuild.value }
        #expect(manager.keywordPrebuild.snapshot.finished)

        let fresh = try await self.manager(database)
        for text in ["zebra quokka", before[1].text, "violin tea", "dog"] {
            let expected = try await answer(fresh, text, user: user, mode: .keyword)
            #expect(try await answer(manager, text, user: user, mode: .keyword) == expected, "\(text)")
            #expect(!expected.contains { $0.hasPrefix(before[1].id) })
        }
        #expect(try await answers(manager) == answers(fresh))
    }

    @Test func groupsLoadedLabelsByUser() {
        let users = LoadedUser.group(labels: [10, 11, 20, 12, 21, 30], tenants: [1, 1, 2, 1, 2, 3])
        #expect(users.map(\.label) == [10, 20, 30] && users.map(\.memories) == [3, 2, 1])
    }
}

/// Runs `body`, failing with `message` after `seconds`.
func deadline<T: Sendable>(
    _ message: String, seconds: Double = 120, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            Issue.record("deadline passed: \(message)")
            throw CancellationError()
        }
        return value
    }
}
