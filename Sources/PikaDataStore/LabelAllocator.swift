import PikaRelational

/// Hands out engine labels (unique, increasing) for new memories.
///
/// Labels are reserved in blocks recorded in the relational database (`settings.label_reserved`)
/// before any of them is used, so a label is never handed out twice, also across a crash: at
/// worst the rest of a block is skipped.
actor LabelAllocator {
    private let database: SQLiteDatabase
    private var next: UInt64
    private var limit: UInt64
    static let block: UInt64 = 4096
    static let setting = "label_reserved"

    /// Starts after everything reserved so far, and above `atLeast` (the largest label in use).
    init(database: SQLiteDatabase, atLeast floor: UInt64) async throws {
        self.database = database
        let reserved = UInt64(try await SQLiteSettings(database: database).value(Self.setting) ?? "0") ?? 0
        next = max(reserved, floor) + 1
        limit = next - 1
    }

    /// `count` fresh labels, ascending.
    func reserve(_ count: Int) async throws -> [UInt64] {
        guard count > 0 else { return [] }
        let wanted = UInt64(count)
        // Re-checked after each suspension: another reservation may have run meanwhile.
        while next + wanted - 1 > limit {
            let proposed = next + max(wanted, Self.block) - 1
            let recorded = try await database.transaction { db in
                // Never lowers what is recorded, whatever order concurrent reservations commit in.
                try db.query(
                    """
                    INSERT INTO settings (name, value) VALUES (?, ?)
                    ON CONFLICT (name) DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER))
                    """, [.text(Self.setting), .text(String(proposed))])
                return UInt64(try db.queryOne("SELECT value FROM settings WHERE name = ?", [.text(Self.setting)])?.string(0) ?? "") ?? 0
            }
            limit = max(limit, recorded)
        }
        let first = next
        next += wanted
        return Array(first..<(first + wanted))
    }
}
