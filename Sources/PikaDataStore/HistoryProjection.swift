import Foundation
import PikaMemory
import PikaRelational

/// The relational `history` table as a projection of the segment store's logged notes.
///
/// A text is stored once. An ADD or UPDATE event's new text is what the memory became: it is the
/// next event's old text, or, for the newest event of a live memory, the record's text in the
/// segment store. So the row keeps `new_memory` NULL and a digest of the text, and
/// ``history(memoryID:tenant:live:in:)`` fills it in. A DELETE keeps its old text: the record it
/// removed is erased at the next compaction.
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
                let elided = note.new.flatMap { text in Self.elidesNewText(note.kind) ? text : nil }
                try db.query(
                    """
                    INSERT OR IGNORE INTO history
                        (memory_id, tenant, user_id, event, old_memory, new_memory, new_digest, created_at, event_id)
                    VALUES (?,?,?,?,?,?,?,?,?)
                    """,
                    [
                        .text(note.memoryID ?? ""), .text(note.tenant), .text(note.user), .text(note.kind ?? MemoryEvent.none.rawValue),
                        .optional(note.old), elided == nil ? .optional(note.new) : .null,
                        elided.map { .integer(Int64(bitPattern: digest($0))) } ?? .null, .real(note.at), .text(note.event),
                    ])
            }
        }
    }

    /// A memory's history inside `tenant`, oldest first, with every elided new text filled in.
    /// `live` returns the memory's current text, nil when it has none (deleted or never stored).
    /// A newest event whose digest does not match the live text is one whose successor is logged
    /// but not yet projected (a write in flight): the read waits for it, briefly, and retries.
    static func history(
        memoryID: String, tenant: String, live: @Sendable () async throws -> String?, in database: SQLiteDatabase
    ) async throws -> [HistoryEntry] {
        var rows: [(entry: HistoryEntry, digest: Int64?)] = []
        for attempt in 0..<200 {
            rows = try await database.read { db in
                try db.query(
                    """
                    SELECT memory_id, event, old_memory, new_memory, created_at, new_digest FROM history
                    WHERE memory_id = ? AND tenant = ? ORDER BY seq
                    """, [.text(memoryID), .text(tenant)]
                ).map { row in
                    (
                        HistoryEntry(
                            memoryID: row.string(0) ?? "", event: MemoryEvent(rawValue: row.string(1) ?? "") ?? .none,
                            oldMemory: row.string(2), newMemory: row.string(3), createdAt: Date(timeIntervalSince1970: row.double(4))),
                        row.values[5] == .null ? nil : row.int64(5)
                    )
                }
            }
            for i in rows.indices.dropLast() where rows[i].digest != nil {
                rows[i].entry.newMemory = rows[i + 1].entry.oldMemory
            }
            guard let last = rows.last, let expected = last.digest else { break }
            if let text = try await live(), digest(text) == UInt64(bitPattern: expected) {
                rows[rows.count - 1].entry.newMemory = text
                break
            }
            if attempt < 199 { try await Task.sleep(for: .milliseconds(5)) }
        }
        return rows.map(\.entry)
    }

    /// Whether an event of `kind` stores its new text only as a digest.
    private static func elidesNewText(_ kind: String?) -> Bool {
        kind == MemoryEvent.add.rawValue || kind == MemoryEvent.update.rawValue
    }

    /// FNV-1a, 64 bits, of the text's UTF-8 bytes: tells one version of a memory's text from another.
    static func digest(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
