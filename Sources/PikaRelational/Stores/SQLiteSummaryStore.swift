import Foundation
import PikaMemory

/// ``SummaryStore`` on SQLite: the L2 table `user_favorite_summary`, one row per (tenant, user),
/// the summary as JSON text.
public struct SQLiteSummaryStore: SummaryStore {
    private let database: SQLiteDatabase

    /// Creates a store on an opened relational database.
    public init(database: SQLiteDatabase) { self.database = database }

    /// See ``SummaryStore/summary(for:)``.
    public func summary(for scope: MemoryScope) async throws -> UserSummary? {
        let row = try await database.read { db in
            try db.queryOne(
                "SELECT summary_json, last_updated FROM user_favorite_summary WHERE tenant = ? AND user_id = ?",
                [.text(scope.tenant), .text(scope.userID)])
        }
        guard let row, let text = row.string(0) else { return nil }
        let summary = try JSONReader.parse(text)
        return UserSummary(scope: scope, summary: summary, lastUpdated: Date(timeIntervalSince1970: row.double(1)))
    }

    /// See ``SummaryStore/save(_:)``.
    public func save(_ summary: UserSummary) async throws {
        let text = summary.summary.jsonText
        // A transaction, so it can share a group commit with other writes (SQLiteDatabase).
        try await database.transaction { db in
            try db.query(
                """
                INSERT INTO user_favorite_summary (tenant, user_id, summary_json, last_updated) VALUES (?, ?, ?, ?)
                ON CONFLICT (tenant, user_id) DO UPDATE SET summary_json = excluded.summary_json, last_updated = excluded.last_updated
                """,
                [.text(summary.scope.tenant), .text(summary.scope.userID), .text(text), .real(summary.lastUpdated.timeIntervalSince1970)])
        }
    }

    /// See ``SummaryStore/delete(scope:)``.
    public func delete(scope: MemoryScope) async throws {
        try await database.run { db in
            try db.query("DELETE FROM user_favorite_summary WHERE tenant = ? AND user_id = ?", [.text(scope.tenant), .text(scope.userID)])
        }
    }

    /// See ``SummaryStore/stale(before:limit:)``.
    public func stale(before date: Date, limit: Int) async throws -> [MemoryScope] {
        try await database.run { db in
            try db.query(
                "SELECT tenant, user_id FROM user_favorite_summary WHERE last_updated < ? ORDER BY last_updated LIMIT ?",
                [.real(date.timeIntervalSince1970), .integer(Int64(limit))]
            ).compactMap { row in
                guard let tenant = row.string(0), let user = row.string(1) else { return nil }
                return MemoryScope(tenant: tenant, userID: user)
            }
        }
    }
}
