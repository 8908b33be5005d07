import Foundation
import PikaMemory

/// ``AuditLog`` on PostgreSQL (table `audit_log`, details as JSONB).
public struct PostgresAuditLog: AuditLog {
    private let pool: PostgresPool

    /// Creates a log on a migrated database.
    public init(pool: PostgresPool) { self.pool = pool }

    /// See ``AuditLog/record(_:)``.
    public func record(_ entry: AuditEntry) async throws {
        try await pool.store { db throws(PostgresError) in
            try db.query(
                "INSERT INTO audit_log (tenant, actor, action, target, detail, created_at) VALUES ($1, $2, $3, $4, $5::jsonb, to_timestamp($6))",
                [
                    .text(entry.tenant), .text(entry.actor), .text(entry.action), .optional(entry.target),
                    .text(JSONValue.encodeObject(entry.detail)), .date(entry.createdAt),
                ])
        }
    }

    /// See ``AuditLog/entries(tenant:limit:)``.
    public func entries(tenant: String, limit: Int) async throws -> [AuditEntry] {
        try await pool.store { db throws(PostgresError) in
            try db.query(
                """
                SELECT tenant, actor, action, target, detail::text, \(epoch("created_at")) FROM audit_log
                WHERE tenant = $1 ORDER BY seq DESC LIMIT $2
                """, [.text(tenant), .int(max(0, limit))]
            ).rows.map { row in
                AuditEntry(
                    tenant: row.string(0) ?? "", actor: row.string(1) ?? "", action: row.string(2) ?? "",
                    target: row.string(3), detail: JSONValue.decodeObject(row.string(4)), createdAt: row.date(5))
            }
        }
    }
}
