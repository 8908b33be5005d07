import Foundation
import Logging
import PikaEmbeddings
import PikaMemory
import PikaTestSupport
import Testing

@testable import PikaRelational

/// A fresh database in a temporary directory, opened on a thread of its own (the schema's fsyncs block).
func temporaryDatabase() async throws -> SQLiteDatabase {
    try await onOwnThread {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pika-rel-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        return try RelationalSchema.open(path: directory + "/pika.sqlite")
    }
}

/// A memory manager over a fresh SQLite database, the hashing embedder (64 dimensions) and the rules.
func sqliteManager(label: String) async throws -> MemoryManager {
    let database = try await temporaryDatabase()
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return try await MemoryManager(
        store: SQLiteMemoryStore(database: database), graph: SQLiteGraphStore(database: database),
        embedder: try HashingEmbedder(dimension: 64), extractor: RuleExtractor(), logger: logger)
}

@Suite("SQLite stores")
struct SQLiteStoreTests {
    func job(_ user: String, tenant: String = "t") -> JobRecord {
        JobRecord(
            id: UUID().uuidString.lowercased(), scope: MemoryScope(tenant: tenant, userID: user), kind: "add",
            payload: "{}", maxAttempts: 2, createdAt: Date(), updatedAt: Date())
    }

    @Test func errorsCarryCodeAndStatement() async throws {
        let db = try await temporaryDatabase()
        #expect {
            try db.runBlocking { try $0.query("SELEC nonsense") }
        } throws: { error in
            let error = error as? SQLiteError
            return error?.resultCode == 1 && error?.sql == "SELEC nonsense"
        }
    }

    @Test func jobsOfOneUserRunInOrderAndUsersInParallel() async throws {
        let queue = SQLiteJobQueue(database: try await temporaryDatabase())
        let a1 = job("a")
        let a2 = job("a")
        let b1 = job("b")
        for j in [a1, a2, b1] { _ = try await queue.enqueue(j, idempotencyKey: nil) }
        let first = try await queue.claim(now: Date(), lease: .seconds(30))
        let second = try await queue.claim(now: Date(), lease: .seconds(30))
        #expect(first?.id == a1.id)
        #expect(second?.id == b1.id)  // a2 waits for a1
        #expect(try await queue.claim(now: Date(), lease: .seconds(30)) == nil)
        try await queue.complete(id: a1.id, attempt: 1, result: "{}", now: Date())
        #expect(try await queue.claim(now: Date(), lease: .seconds(30))?.id == a2.id)
    }

    @Test func idempotencyLeasesRetriesAndDeadLetter() async throws {
        let queue = SQLiteJobQueue(database: try await temporaryDatabase())
        let original = job("a")
        let (_, created) = try await queue.enqueue(original, idempotencyKey: "k1")
        let (again, createdAgain) = try await queue.enqueue(job("a"), idempotencyKey: "k1")
        #expect(created && !createdAgain && again.id == original.id)
        // Another tenant may use the same key.
        #expect(try await queue.enqueue(job("a", tenant: "other"), idempotencyKey: "k1").created)

        let leased = try #require(try await queue.claim(now: Date(), lease: .seconds(30)))
        // An expired lease makes the job claimable again (a crashed worker).
        let reclaimed = try await queue.claim(now: Date().addingTimeInterval(31), lease: .seconds(30))
        #expect(reclaimed?.id == leased.id && reclaimed?.attempts == 2)
        // The reclaiming attempt (2) holds the job now.
        #expect(try await queue.fail(id: leased.id, attempt: 2, error: "boom", retryAt: nil, now: Date()))
        let failed = try await queue.job(id: leased.id, tenant: "t")
        #expect(failed?.status == .failed && failed?.error == "boom")
        #expect(try await queue.job(id: leased.id, tenant: "other") == nil)
    }

    @Test func recordsHistoryAndUserDeletion() async throws {
        let db = try await temporaryDatabase()
        let store = SQLiteMemoryStore(database: db)
        let scope = MemoryScope(tenant: "t", userID: "u")
        let now = Date()
        var record = MemoryRecord(
            id: UUID().uuidString.lowercased(), scope: scope, text: "Likes cats", metadata: ["k": .number(1)],
            createdAt: now, updatedAt: now, embedding: [0.5, -1, 2])
        record = try await store.apply([.add(record)])[0]
        #expect(record.label > 0)
        let loaded = try #require(try await store.record(id: record.id, tenant: "t"))
        #expect(loaded.embedding == [0.5, -1, 2] && loaded.metadata == ["k": .number(1)])
        #expect(try await store.record(id: record.id, tenant: "other") == nil)
        var updated = loaded
        updated.text = "Loves cats"
        _ = try await store.apply([.update(updated, previousText: "Likes cats")])
        let history = try await store.history(memoryID: record.id, tenant: "t")
        #expect(history.map(\.event) == [.add, .update])
        #expect(history[1].oldMemory == "Likes cats" && history[1].newMemory == "Loves cats")
        let removed = try await store.deleteScope(scope)
        #expect(removed == [record.label])
        #expect(try await store.history(memoryID: record.id, tenant: "t").isEmpty)
    }
}
