import Foundation
import PikaMemory

/// ``SummaryStore`` on PostgreSQL: the seed's `user_favorite_summary` table (JSONB), with a tenant column.
public struct PostgresSummaryStore: SummaryStore {
    private let pool: PostgresPool

    /// Creates a store on a migrated database.
    public init(pool: PostgresPool) { self.pool = pool }

    /// See ``SummaryStore/summary(for:)``.
    public func summary(for scope: MemoryScope) async throws -> UserSummary? {
        try await pool.store { db throws(PostgresError) in
            let rows = try db.query(
                "SELECT summary_json::text, \(epoch("last_updated")) FROM user_favorite_summary WHERE tenant = $1 AND user_id = $2",
                [.text(scope.tenant), .text(scope.userID)]
            ).rows
            guard let row = rows.first else { return nil }
            guard let text = row.string(0), let summary = try? JSONReader.parse(text)
            else { throw PostgresError(.decoding, message: "user_favorite_summary of \(scope) is not JSON") }
            return UserSummary(scope: scope, summary: summary, lastUpdated: row.date(1))
        }
    }

    /// See ``SummaryStore/save(_:)``.
    public func save(_ summary: UserSummary) async throws {
        let json = summary.summary.jsonText
        try await pool.store { db throws(PostgresError) in
            try db.query(
                """
                INSERT INTO user_favorite_summary (tenant, user_id, summary_json, last_updated)
                VALUES ($1, $2, $3::jsonb, to_timestamp($4))
                ON CONFLICT (tenant, user_id) DO UPDATE SET summary_json = EXCLUDED.summary_json, last_updated = EXCLUDED.last_updated
                """,
                [.text(summary.scope.tenant), .text(summary.scope.userID), .text(json), .date(summary.lastUpdated)])
        }
    }

    /// See ``SummaryStore/delete(scope:)``.
    public func delete(scope: MemoryScope) async throws {
        try await pool.store { db throws(PostgresError) in
            try db.query(
                "DELETE FROM user_favorite_summary WHERE tenant = $1 AND user_id = $2",
                [.text(scope.tenant), .text(scope.userID)])
        }
    }

    /// See ``SummaryStore/stale(before:limit:)``.
    public func stale(before date: Date, limit: Int) async throws -> [MemoryScope] {
        try await pool.store { db throws(PostgresError) in
            try db.query(
                """
                SELECT tenant, user_id FROM user_favorite_summary WHERE last_updated < to_timestamp($1)
                ORDER BY last_updated, tenant, user_id LIMIT $2
                """, [.date(date), .int(max(0, limit))]
            ).rows.map { MemoryScope(tenant: $0.string(0) ?? "", userID: $0.string(1) ?? "") }
        }
    }
}
