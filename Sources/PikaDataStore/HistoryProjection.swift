import Foundation
import PikaMemory
import PikaRelational

/// The relational `history` table as a projection of the segment store's logged notes.
enum HistoryProjection {
    /// Writes `notes` in one transaction, in order. Idempotent: an event already in the table is
    /// skipped, and a purge removes whatever the user has, so replaying notes changes nothing twice.
    static func project(_ notes: [HistoryNote], into database: SQLiteDatabase) async throws {
        guard !notes.isEmpty else { return }
        try await database.transaction { db in
            for note in notes {
                if note.purge == true {
                    try db.query("DELETE FROM history WHERE tenant = ? AND user_id = ?", [.text(note.tenant), .text(note.user)])
                    continue
                }
                try db.query(
                    """
                    INSERT OR IGNORE INTO history (memory_id, tenant, user_id, event, old_memory, new_memory, created_at, event_id)
                    VALUES (?,?,?,?,?,?,?,?)
                    """,
                    [.text(note.memoryID ?? ""), .text(note.tenant), .text(note.user), .text(note.kind ?? MemoryEvent.none.rawValue),
                     .optional(note.old), .optional(note.new), .real(note.at), .text(note.event)])
            }
        }
    }

    /// A memory's history inside `tenant`, oldest first.
    static func history(memoryID: String, tenant: String, in database: SQLiteDatabase) async throws -> [HistoryEntry] {
        try await database.read { db in try SQLiteMemoryStore.history(db, memoryID: memoryID, tenant: tenant) }
    }
}
