import Foundation
import Logging
import PikaEmbeddings
import PikaMemory
import Synchronization
import Testing

@testable import PikaRelational

/// How many store commits a write costs, and that a committed write is always announced to the
/// write observers (the cache tiers' version tags), also when a step after the commit fails.
@Suite("Write commits")
struct WriteCommitTests {
    let scope = MemoryScope(tenant: "t", userID: "u")

    /// The SQLite record store, counting the `apply` transactions it is asked for.
    typealias CountingRecordStore = HookedRecordStore

    /// The SQLite graph store whose writes fail while `failing` is set (PostgreSQL down, say).
    final class FlakyGraphStore: GraphStore {
        let base: SQLiteGraphStore
        let failing = Atomic<Bool>(false)

        init(base: SQLiteGraphStore) { self.base = base }

        private func check() throws {
            if failing.load(ordering: .relaxed) { throw MemoryError(.unavailable, "graph store down") }
        }
        func add(entities: [GraphEntity], relations: [GraphRelation], memoryID: String, scope: MemoryScope) async throws {
            try check()
            try await base.add(entities: entities, relations: relations, memoryID: memoryID, scope: scope)
        }
        func retire(memoryID: String, scope: MemoryScope) async throws {
            try check()
            try await base.retire(memoryID: memoryID, scope: scope)
        }
        func relations(touching names: [String], scope: MemoryScope) async throws -> [GraphRelation] {
            try await base.relations(touching: names, scope: scope)
        }
        func entities(mentionedIn text: String, scope: MemoryScope) async throws -> [GraphEntity] {
            try await base.entities(mentionedIn: text, scope: scope)
        }
        func subgraph(entity: String?, depth: Int, scope: MemoryScope) async throws -> ([GraphEntity], [GraphRelation]) {
            try await base.subgraph(entity: entity, depth: depth, scope: scope)
        }
        func deleteScope(_ scope: MemoryScope) async throws {
            try check()
            try await base.deleteScope(scope)
        }
    }

    final class Fixture: Sendable {
        let manager: MemoryManager
        let store: CountingRecordStore
        let graph: FlakyGraphStore
        /// Write-observer calls so far.
        let announced = Mutex(0)

        init(manager: MemoryManager, store: CountingRecordStore, graph: FlakyGraphStore) {
            self.manager = manager
            self.store = store
            self.graph = graph
        }
    }

    func fixture() async throws -> Fixture {
        let database = try await temporaryDatabase()
        var logger = Logger(label: "write-commit-test")
        logger.logLevel = .warning
        let store = CountingRecordStore(base: SQLiteMemoryStore(database: database))
        let graph = FlakyGraphStore(base: SQLiteGraphStore(database: database))
        let manager = try await MemoryManager(
            store: store, graph: graph, embedder: try HashingEmbedder(dimension: 64), extractor: RuleExtractor(), logger: logger)
        let fixture = Fixture(manager: manager, store: store, graph: graph)
        manager.writeObservers.add { [fixture] _ in fixture.announced.withLock { $0 += 1 } }
        return fixture
    }

    func verbatim(_ texts: [String]) -> AddInput {
        AddInput(messages: texts.map { ConversationMessage(role: "user", content: $0) }, infer: false)
    }

    @Test func aVerbatimAddOfManyMessagesIsOneStoreTransaction() async throws {
        let fixture = try await fixture()
        let manager = fixture.manager
        _ = try await manager.add(verbatim(["my first note"]), scope: scope)
        _ = try await manager.search(SearchQuery(text: "note", scope: scope, limit: 10, mode: .keyword))
        #expect(manager.keywordIndexes.isResident(scope))
        let texts = ["I keep bees", "my car is red", "I read poetry at night", "we moved to Hue", "I fear spiders"]
        let results = try await manager.add(verbatim(texts), scope: scope)

        #expect(fixture.store.applied.withLock { $0 } == [1, 5])
        #expect(manager.keywordIndexes.isResident(scope), "the resident keyword index was dropped instead of updated")
        #expect(results.map(\.event) == Array(repeating: .add, count: 5))
        #expect(results.map(\.memory) == texts)
        #expect(Set(results.map(\.id)).count == 5)
        #expect(fixture.announced.withLock { $0 } == 2)
        for result in results {
            #expect(try await manager.history(id: result.id, tenant: "t").map(\.event) == [.add])
        }
        for text in texts {
            let vector = try await manager.search(SearchQuery(text: text, scope: scope, limit: 1, mode: .vector))
            #expect(vector.results.map(\.record.text) == [text])
            let keyword = try await manager.search(SearchQuery(text: text, scope: scope, limit: 1, mode: .keyword))
            #expect(keyword.results.map(\.record.text) == [text])
        }
    }

    @Test func aWriteWhoseGraphStepFailsIsStillAnnounced() async throws {
        let fixture = try await fixture()
        let manager = fixture.manager
        let id = try await manager.add(verbatim(["my cat is called Mochi"]), scope: scope)[0].id
        _ = try await manager.search(SearchQuery(text: "cat", scope: scope, limit: 10, mode: .keyword))
        #expect(fixture.announced.withLock { $0 } == 1)

        fixture.graph.failing.store(true, ordering: .relaxed)
        await #expect(throws: MemoryError.self) { try await manager.delete(id: id, tenant: "t") }
        // The delete committed before the graph failed: the caches must hear of it all the same.
        #expect(try await manager.store.record(id: id, tenant: "t") == nil)
        #expect(fixture.announced.withLock { $0 } == 2)
        #expect(!manager.keywordIndexes.isResident(scope))
        #expect(try await manager.search(SearchQuery(text: "cat", scope: scope, limit: 10, mode: .hybrid)).results.isEmpty)

        // An add whose graph step fails after the commit (the stub fails even an empty graph add).
        await #expect(throws: MemoryError.self) { _ = try await manager.add(verbatim(["I like tea"]), scope: scope) }
        #expect(fixture.announced.withLock { $0 } == 3)
        let tea = try await manager.search(SearchQuery(text: "tea", scope: scope, limit: 10, mode: .hybrid))
        #expect(tea.results.map(\.record.text) == ["I like tea"])

        await #expect(throws: MemoryError.self) { _ = try await manager.deleteUser(scope) }
        #expect(fixture.announced.withLock { $0 } == 4)
    }
}
