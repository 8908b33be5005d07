import Foundation
import Logging
import PikaMemory
import PikaRelational
import PikaStorage

/// Memories of a data directory written before the segment store: rows of `pika.sqlite`'s
/// `memories` table, each with its embedding as a blob. Opening moves them into the segment
/// store once, keeping ids and labels; their history rows are already in place.
enum LegacyMemories {
    /// Rows moved per write-ahead log commit (one fsync each).
    static let batch = 2_000

    /// The largest label of a legacy row (0 when there is none): new labels start above it.
    static func largestLabel(in database: SQLiteDatabase) async throws -> UInt64 {
        try await database.read { db in UInt64(try db.queryOne("SELECT MAX(label) FROM memories")?.int64(0) ?? 0) }
    }

    /// Moves every legacy row into `store`, then deletes it from the table. A crash midway leaves
    /// rows in the table, and the next open moves them again: an upsert by id is idempotent.
    static func migrate(from database: SQLiteDatabase, into store: SegmentMemoryStore) async throws {
        let total = try await database.read { db in Int(try db.queryOne("SELECT COUNT(*) FROM memories")?.int64(0) ?? 0) }
        guard total > 0 else { return }
        store.logger.info("moving memories from pika.sqlite into the segment store", metadata: ["memories": "\(total)"])
        var moved = 0
        var after: Int64 = 0
        while true {
            let rows = try await database.read { [after] db in
                try db.query(
                    "SELECT \(SQLiteMemoryStore.columns), embedding, scope FROM memories WHERE label > ? ORDER BY label LIMIT ?",
                    [.integer(after), .int(batch)]
                ).map {
                    // The scope column follows the 14 record columns and the embedding.
                    (SQLiteMemoryStore.decode($0, withEmbedding: true), UInt32(truncatingIfNeeded: $0.int64(15)))
                }
            }
            guard let last = rows.last else { break }
            let changes = rows.map { record, scope in
                RecordChange.upsert(RecordMapping.stored(record, scopeNumber: scope), vector: record.embedding, note: nil)
            }
            try await store.commit(changes, notes: [])
            after = Int64(last.0.label)
            moved += rows.count
            store.logger.info("moving memories", metadata: ["moved": "\(moved)", "of": "\(total)"])
        }
        // Sealed before the rows go: the moved memories are then in a mapped segment, not only in the log.
        try await store.seal()
        try await database.transaction { db in try db.query("DELETE FROM memories") }
        store.logger.info("memories moved into the segment store", metadata: ["memories": "\(moved)"])
    }
}
