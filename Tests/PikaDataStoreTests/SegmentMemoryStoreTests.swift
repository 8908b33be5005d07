import Foundation
import Logging
import PikaEmbeddings
import PikaMemory
import PikaStorage
import PikaTestSupport
import Testing

@testable import PikaDataStore
@testable import PikaRelational

/// A service data directory of a test's own: its path and its relational database.
struct ServiceDirectory {
    let path: String
    let database: SQLiteDatabase

    static func make() async throws -> ServiceDirectory {
        try await onOwnThread {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("pika-ds-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return ServiceDirectory(path: path, database: try RelationalSchema.open(path: path + "/pika.sqlite"))
        }
    }

    /// The same directory with its database opened anew (as a restarted process would).
    func reopened() async throws -> ServiceDirectory {
        try await onOwnThread { ServiceDirectory(path: path, database: try RelationalSchema.open(path: path + "/pika.sqlite")) }
    }

    static let logger: Logger = {
        var logger = Logger(label: "data-store-test")
        logger.logLevel = .warning
        return logger
    }()

    func store() async throws -> SegmentMemoryStore {
        try await SegmentMemoryStore.open(serviceDirectory: path, database: database, dimension: 64, logger: Self.logger)
    }

    func manager(_ store: SegmentMemoryStore) async throws -> MemoryManager {
        try await MemoryManager(
            store: store, graph: SQLiteGraphStore(database: database), embedder: try HashingEmbedder(dimension: 64),
            extractor: RuleExtractor(), logger: Self.logger)
    }
}

@Suite("Segment memory store", .blockingWork)
struct SegmentMemoryStoreTests {
    let scope = MemoryScope(tenant: "t", userID: "lan")

    func add(_ manager: MemoryManager, _ texts: [String], scope: MemoryScope? = nil, infer: Bool = false) async throws -> [AddResult] {
        let input = AddInput(messages: texts.map { ConversationMessage(role: "user", content: $0) }, infer: infer)
        return try await manager.add(input, scope: scope ?? self.scope)
    }

    func top(_ manager: MemoryManager, _ text: String, _ mode: SearchMode = .vector, scope: MemoryScope? = nil) async throws -> [String] {
        try await manager.search(SearchQuery(text: text, scope: scope ?? self.scope, limit: 5, mode: mode)).results.map(\.record.text)
    }

    @Test("memories, their vectors and history survive a restart, from the growing segment and from a sealed one")
    func survivesRestart() async throws {
        let directory = try await ServiceDirectory.make()
        do {
            let store = try await directory.store()
            let manager = try await directory.manager(store)
            _ = try await add(manager, ["My dog is called Bim", "I like dinosaurs"])
            try await store.seal()
            _ = try await add(manager, ["I live in Hanoi"])
            #expect(store.directory.growingCount == 1)
        }
        let again = try await directory.reopened()
        let store = try await again.store()
        let manager = try await again.manager(store)
        #expect(try await top(manager, "Hanoi").first == "I live in Hanoi")
        #expect(try await top(manager, "dog Bim").first == "My dog is called Bim")
        let all = try await store.allRecords(scope: scope)
        #expect(all.map(\.text) == ["My dog is called Bim", "I like dinosaurs", "I live in Hanoi"])
        let history = try await manager.history(id: all[0].id, tenant: "t")
        #expect(history.map(\.event) == [.add])
        #expect(history.first?.newMemory == "My dog is called Bim")
    }

    @Test("update and delete change the stored record, the search and the history; other users and tenants see nothing")
    func updateDeleteAndTenancy() async throws {
        let directory = try await ServiceDirectory.make()
        let store = try await directory.store()
        let manager = try await directory.manager(store)
        let other = MemoryScope(tenant: "u", userID: "lan")
        let added = try await add(manager, ["I like cats"])
        _ = try await add(manager, ["I like trains"], scope: other)
        let updated = try await manager.update(id: added[0].id, tenant: "t", text: "I like lions", metadata: ["mood": .string("happy")])
        #expect(updated.text == "I like lions")
        #expect(try await top(manager, "lions").first == "I like lions")
        #expect(try await top(manager, "trains").contains("I like trains") == false)
        #expect(try await store.record(id: added[0].id, tenant: "u") == nil)
        let stored = try await store.record(id: added[0].id, tenant: "t")
        #expect(stored?.metadata["mood"] == .string("happy"))
        #expect(stored?.embedding.count == 64)
        try await manager.delete(id: added[0].id, tenant: "t")
        #expect(try await top(manager, "lions").isEmpty)
        let events = try await manager.history(id: added[0].id, tenant: "t").map(\.event)
        #expect(events == [.add, .update, .delete])
        #expect(try await top(manager, "trains", scope: other) == ["I like trains"])
    }

    @Test("users are counted from the growing and sealed segments, deleted and updated rows once or not at all")
    func userCounts() async throws {
        let directory = try await ServiceDirectory.make()
        let store = try await directory.store()
        let manager = try await directory.manager(store)
        let added = try await add(manager, ["I like cats", "I like trains", "I live in Hue"])
        _ = try await add(manager, ["I like kites"], scope: MemoryScope(tenant: "t", userID: "minh"))
        try await store.seal()
        try await manager.delete(id: added[0].id, tenant: "t")
        _ = try await manager.update(id: added[1].id, tenant: "t", text: "I like fast trains", metadata: nil)
        _ = try await add(manager, ["My dog is called Bim"])
        let users = try await store.users(tenant: "t", after: nil, limit: 10)
        #expect(users.map(\.userID) == ["lan", "minh"])
        #expect(users.map(\.memoryCount) == [3, 1])
    }

    @Test("filters reach the search before the top-k cut, exactly")
    func filteredSearch() async throws {
        let directory = try await ServiceDirectory.make()
        let store = try await directory.store()
        let manager = try await directory.manager(store)
        for i in 0..<30 {
            let input = AddInput(
                messages: [ConversationMessage(role: "user", content: "I visited place number \(i)")], metadata: ["n": .number(Double(i))],
                infer: false)
            _ = try await manager.add(input, scope: scope)
        }
        try await store.seal()
        let filter = try MemoryFilter.parse(.object(["n": .object(["gte": .number(25)])]))
        let answer = try await manager.search(SearchQuery(text: "place", scope: scope, limit: 10, filter: filter, mode: .vector))
        #expect(answer.results.count == 5)
        #expect(Set(answer.results.map(\.record.text)) == Set((25..<30).map { "I visited place number \($0)" }))
    }

    @Test("a note logged with its change but never projected (a crash between the two) is projected at the next open, once")
    func replaysUnprojectedNotes() async throws {
        let directory = try await ServiceDirectory.make()
        let record = MemoryRecord(
            id: UUID().uuidString.lowercased(), label: 7, scope: scope, text: "I ride a bike",
            createdAt: Date(), updatedAt: Date())
        let note = HistoryNote(record, .add, old: nil, new: record.text, at: Date())
        do {
            let store = try await directory.store()
            let number = try await store.scopeNumber(for: scope, create: true)!
            // What `commit` does before the projection: the change and its note in the log.
            try store.directory.commit([
                .upsert(RecordMapping.stored(record, scopeNumber: number), vector: unit(64, 3), note: note.encoded())
            ])
            #expect(try await store.history(memoryID: record.id, tenant: "t").isEmpty)
        }
        for _ in 0..<2 {
            let again = try await directory.reopened()
            let store = try await again.store()
            let history = try await store.history(memoryID: record.id, tenant: "t")
            #expect(history.map(\.event) == [.add])
            #expect(try await store.record(id: record.id, tenant: "t")?.text == "I ride a bike")
        }
    }

    @Test("deleting a user removes their memories and history, also after a restart, and keeps other users")
    func deleteUser() async throws {
        let directory = try await ServiceDirectory.make()
        let keep = MemoryScope(tenant: "t", userID: "minh")
        var id = ""
        do {
            let store = try await directory.store()
            let manager = try await directory.manager(store)
            id = try await add(manager, ["My school is Hoa Sen"])[0].id
            try await store.seal()
            _ = try await add(manager, ["I like kites"])
            _ = try await add(manager, ["I like boats"], scope: keep)
            #expect(try await manager.deleteUser(scope) == 2)
            #expect(try await store.allRecords(scope: scope).isEmpty)
        }
        let again = try await directory.reopened()
        let store = try await again.store()
        #expect(try await store.allRecords(scope: scope).isEmpty)
        #expect(try await store.history(memoryID: id, tenant: "t").isEmpty)
        #expect(try await store.allRecords(scope: keep).map(\.text) == ["I like boats"])
    }

    @Test("after a user's deletion and the next maintenance pass, no byte of their text is left in any file of the data directory")
    func erasure() async throws {
        let directory = try await ServiceDirectory.make()
        let store = try await directory.store()
        let manager = try await directory.manager(store)
        let marker = "Zanzibarquetzal"
        _ = try await add(manager, ["My friend is called \(marker)", "I saw \(marker) at the zoo"], infer: false)
        _ = try await add(manager, ["My dog is called \(marker)"], infer: true)
        try await store.seal()
        _ = try await add(manager, ["\(marker) came to visit"], infer: false)
        _ = try await add(manager, ["I like boats"], scope: MemoryScope(tenant: "t", userID: "minh"))
        try await store.seal()
        _ = try await add(manager, ["\(marker) again, not yet sealed"], infer: false)
        #expect(try filesHolding(marker, under: directory.path).isEmpty == false)
        _ = try await manager.deleteUser(scope)
        let report = try await store.maintain(MaintenancePolicy())
        #expect(report.sealed && report.compacted)
        #expect(try filesHolding(marker, under: directory.path) == [])
        #expect(try await store.allRecords(scope: MemoryScope(tenant: "t", userID: "minh")).map(\.text) == ["I like boats"])
    }

    @Test("a corrupt segment is set aside naming its file, and the users in other segments keep being served")
    func corruptSegmentIsSetAside() async throws {
        let directory = try await ServiceDirectory.make()
        let minh = MemoryScope(tenant: "t", userID: "minh")
        do {
            let store = try await directory.store()
            let manager = try await directory.manager(store)
            _ = try await add(manager, ["I like kites"])
            try await store.seal()
            _ = try await add(manager, ["I like boats"], scope: minh)
            try await store.seal()
        }
        let segments = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/memories")
            .filter { $0.hasSuffix(".pseg") }.sorted()
        #expect(segments.count == 2)
        // Flip bytes in the first segment's header (its checksum then fails).
        let damaged = directory.path + "/memories/" + segments[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        for i in 12..<20 { bytes[i] ^= 0xFF }
        try bytes.write(to: URL(fileURLWithPath: damaged))
        let again = try await directory.reopened()
        let store = try await again.store()
        #expect(store.problems.contains { $0.contains(segments[0]) }, "\(store.problems)")
        let manager = try await again.manager(store)
        #expect(try await top(manager, "boats", scope: minh) == ["I like boats"])
        _ = try await add(manager, ["I like trains"], scope: minh)
        #expect(try await top(manager, "trains", scope: minh).first == "I like trains")
    }

    @Test("a data directory of the previous release (memories in pika.sqlite) is moved into the segment store at first open")
    func migratesLegacyRows() async throws {
        let directory = try await ServiceDirectory.make()
        let legacy = SQLiteMemoryStore(database: directory.database)
        let embedder = try HashingEmbedder(dimension: 64)
        let texts = (0..<2_500).map { "legacy memory number \($0)" }
        let vectors = try await embedder.embed(texts)
        let now = Date()
        let written = try await legacy.apply(
            zip(texts, vectors).map { text, vector in
                .add(
                    MemoryRecord(
                        id: UUID().uuidString.lowercased(), scope: scope, text: text, attribute: nil, provenance: ["0"],
                        createdAt: now, updatedAt: now, embedding: vector))
            })
        let store = try await directory.store()
        let moved = try await store.allRecords(scope: scope)
        #expect(moved.count == 2_500)
        #expect(moved.map(\.label) == written.map(\.label))
        #expect(moved.map(\.id) == written.map(\.id))
        #expect(moved.first?.provenance == ["0"])
        #expect(try await LegacyMemories.largestLabel(in: directory.database) == 0)
        #expect(try await store.history(memoryID: written[0].id, tenant: "t").map(\.event) == [.add])
        let manager = try await directory.manager(store)
        #expect(try await top(manager, "legacy memory number 1234").first == "legacy memory number 1234")
        let fresh = try await add(manager, ["I like kites"])
        let label = try await store.record(id: fresh[0].id, tenant: "t")!.label
        #expect(label > written.map(\.label).max()!)
    }
}

/// The files under `root` whose bytes contain `text`.
func filesHolding(_ text: String, under root: String) throws -> [String] {
    let needle = Data(text.utf8)
    var found: [String] = []
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let name = enumerator?.nextObject() as? String {
        let path = root + "/" + name
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
        if let data = FileManager.default.contents(atPath: path), data.range(of: needle) != nil { found.append(name) }
    }
    return found
}

/// A unit vector along axis `axis`.
func unit(_ dimension: Int, _ axis: Int) -> [Float] {
    var v = [Float](repeating: 0, count: dimension)
    v[axis] = 1
    return v
}
