import Foundation
import PikaMemory

/// ``AuditLog`` on SQLite (table `audit_log`, details as JSON text).
public struct SQLiteAuditLog: AuditLog {
    private let database: SQLiteDatabase

    /// Creates a log on an opened relational database, creating its table when missing (start-up only).
    ///
    /// The table is created here, idempotently, rather than as a numbered migration in
    /// ``RelationalSchema``, so the log does not depend on the order in which other features append theirs.
    public init(database: SQLiteDatabase) throws {
        self.database = database
        try database.runBlocking { db in
            try db.execute(
                """
                CREATE TABLE IF NOT EXISTS audit_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                    target TEXT, detail TEXT NOT NULL, created_at REAL NOT NULL);
                CREATE INDEX IF NOT EXISTS audit_log_tenant ON audit_log (tenant, seq);
                """)
        }
    }

    /// See ``AuditLog/record(_:)``.
    public func record(_ entry: AuditEntry) async throws {
        try await database.run { db in
            try db.query(
                "INSERT INTO audit_log (tenant, actor, action, target, detail, created_at) VALUES (?,?,?,?,?,?)",
                [
                    .text(entry.tenant), .text(entry.actor), .text(entry.action), .optional(entry.target),
                    .text(JSONValue.encodeObject(entry.detail)), .real(entry.createdAt.timeIntervalSince1970),
                ])
        }
    }

    /// See ``AuditLog/entries(tenant:limit:)``.
    public func entries(tenant: String, limit: Int) async throws -> [AuditEntry] {
        try await database.run { db in
            try db.query(
                "SELECT tenant, actor, action, target, detail, created_at FROM audit_log WHERE tenant = ? ORDER BY seq DESC LIMIT ?",
                [.text(tenant), .int(max(0, limit))]
            ).map { row in
                AuditEntry(
                    tenant: row.string(0) ?? "", actor: row.string(1) ?? "", action: row.string(2) ?? "",
                    target: row.string(3), detail: JSONValue.decodeObject(row.string(4)),
                    createdAt: Date(timeIntervalSince1970: row.double(5)))
            }
        }
    }
}
