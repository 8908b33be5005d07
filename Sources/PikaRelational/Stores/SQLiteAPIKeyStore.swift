import Foundation
import PikaMemory

/// ``APIKeyStore`` on SQLite.
public struct SQLiteAPIKeyStore: APIKeyStore {
    private let database: SQLiteDatabase

    /// Creates a store on an opened relational database.
    public init(database: SQLiteDatabase) { self.database = database }

    /// See ``APIKeyStore/insert(_:)``.
    public func insert(_ key: APIKeyRecord) async throws {
        try await database.run { db in
            try db.query(
                "INSERT OR REPLACE INTO api_keys (id, hash, tenant, role, created_at) VALUES (?,?,?,?,?)",
                [.text(key.id), .text(key.hash), .text(key.tenant), .text(key.role.rawValue), .real(Date().timeIntervalSince1970)])
        }
    }

    /// See ``APIKeyStore/key(hash:)``.
    public func key(hash: String) async throws -> APIKeyRecord? {
        // The read-only connection: authentication never waits behind a commit's fsync, and sees
        // every key whose insert returned before it (WAL).
        try await database.read { db in
            try db.queryOne("SELECT id, hash, tenant, role FROM api_keys WHERE hash = ?", [.text(hash)]).map { row in
                APIKeyRecord(
                    id: row.string(0) ?? "", hash: row.string(1) ?? "", tenant: row.string(2) ?? "",
                    role: APIKeyRole(rawValue: row.string(3) ?? "") ?? .read)
            }
        }
    }
}
