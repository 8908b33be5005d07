import Foundation
import PikaMemory

/// ``APIKeyStore`` on PostgreSQL (table `api_keys`, hashes only).
public struct PostgresAPIKeyStore: APIKeyStore {
    private let pool: PostgresPool

    /// Creates a store on a migrated database.
    public init(pool: PostgresPool) { self.pool = pool }

    /// See ``APIKeyStore/insert(_:)``.
    public func insert(_ key: APIKeyRecord) async throws {
        try await pool.storeTransaction { db throws(PostgresError) in
            // Replacing by hash, as the SQLite store's INSERT OR REPLACE does (either unique column may collide).
            try db.query("DELETE FROM api_keys WHERE hash = $1 OR id = $2", [.text(key.hash), .text(key.id)])
            try db.query(
                "INSERT INTO api_keys (id, hash, tenant, role, created_at) VALUES ($1, $2, $3, $4, to_timestamp($5))",
                [.text(key.id), .text(key.hash), .text(key.tenant), .text(key.role.rawValue), .date(Date())])
        }
    }

    /// See ``APIKeyStore/key(hash:)``.
    public func key(hash: String) async throws -> APIKeyRecord? {
        try await pool.store { db throws(PostgresError) in
            try db.query("SELECT id, hash, tenant, role FROM api_keys WHERE hash = $1", [.text(hash)]).rows.first.map { row in
                APIKeyRecord(
                    id: row.string(0) ?? "", hash: row.string(1) ?? "", tenant: row.string(2) ?? "",
                    role: APIKeyRole(rawValue: row.string(3) ?? "") ?? .read)
            }
        }
    }
}
