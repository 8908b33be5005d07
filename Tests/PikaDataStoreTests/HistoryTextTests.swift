import Foundation
import PikaMemory
import PikaTestSupport
import Testing

@testable import PikaDataStore
@testable import PikaRelational

/// History keeps each version of a memory's text once: an ADD or UPDATE row holds a digest, and
/// reads fill the text from the next event or from the live record.
@Suite("History keeps each text once", .blockingWork)
struct HistoryTextTests {
    let scope = MemoryScope(tenant: "t", userID: "lan")

    /// How many history rows of the test's tenant hold `text` in either text column.
    func rows(holding text: String, in database: SQLiteDatabase) async throws -> Int {
        try await database.read { db in
            try db.queryOne(
                "SELECT COUNT(*) FROM history WHERE tenant = 't' AND (old_memory = ? OR new_memory = ?)", [.text(text), .text(text)]
            )?.int(0) ?? -1
        }
    }

    @Test("add, update, delete: the history reads in full, across a seal and a restart, with each text stored once")
    func eachTextOnce() async throws {
        let directory = try await ServiceDirectory.make()
        let id: String
        do {
            let store = try await directory.store()
            let manager = try await directory.manager(store)
            let input = AddInput(messages: [ConversationMessage(role: "user", content: "I like cats")], infer: false)
            id = try #require(try await manager.add(input, scope: scope).first?.id)
            var history = try await manager.history(id: id, tenant: "t")
            #expect(history.map(\.event) == [.add])
            #expect(history.first?.newMemory == "I like cats")
            #expect(try await rows(holding: "I like cats", in: directory.database) == 0)

            _ = try await manager.update(id: id, tenant: "t", text: "I like lions", metadata: nil)
            try await store.seal()
            history = try await manager.history(id: id, tenant: "t")
            #expect(history.map(\.event) == [.add, .update])
            #expect(history.map(\.newMemory) == ["I like cats", "I like lions"])
            #expect(history.map(\.oldMemory) == [nil, "I like cats"])
            #expect(try await rows(holding: "I like cats", in: directory.database) == 1)
            #expect(try await rows(holding: "I like lions", in: directory.database) == 0)
        }
        let again = try await directory.reopened()
        let store = try await again.store()
        let manager = try await again.manager(store)
        try await manager.delete(id: id, tenant: "t")
        let history = try await manager.history(id: id, tenant: "t")
        #expect(history.map(\.event) == [.add, .update, .delete])
        #expect(history.map(\.newMemory) == ["I like cats", "I like lions", nil])
        #expect(history.map(\.oldMemory) == [nil, "I like cats", "I like lions"])
        #expect(try await rows(holding: "I like lions", in: again.database) == 1)
    }

    @Test("a newest event whose successor is logged but not yet projected is read once the projection lands, never with the wrong text")
    func waitsForAProjectionInFlight() async throws {
        let directory = try await ServiceDirectory.make()
        let store = try await directory.store()
        let manager = try await directory.manager(store)
        let input = AddInput(messages: [ConversationMessage(role: "user", content: "I like cats")], infer: false)
        let id = try #require(try await manager.add(input, scope: scope).first?.id)
        // The update's history row is taken out, as if its projection had not run yet: the live record
        // says "lions" while the newest row is the ADD of "cats".
        _ = try await manager.update(id: id, tenant: "t", text: "I like lions", metadata: nil)
        let removed = try await directory.database.read { db in
            try db.query("SELECT event_id, created_at, old_memory FROM history WHERE memory_id = ? AND event = 'UPDATE'", [.text(id)])
        }
        let row = try #require(removed.first)
        try await directory.database.transaction { db in
            try db.query("DELETE FROM history WHERE event_id = ?", [row.values[0]])
        }
        let reader = Task { try await manager.history(id: id, tenant: "t") }
        try await Task.sleep(for: .milliseconds(50))
        let record = try #require(try await store.record(id: id, tenant: "t"))
        var note = HistoryNote(record, .update, old: "I like cats", new: "I like lions", at: Date(timeIntervalSince1970: row.double(1)))
        note.event = try #require(row.string(0))
        try await HistoryProjection.project([note], into: directory.database)
        let history = try await reader.value
        #expect(history.map(\.event) == [.add, .update])
        #expect(history.map(\.newMemory) == ["I like cats", "I like lions"])
    }
}
