import Foundation
import PikaMemory

/// Creating and storing API keys: `pk_` + 32 random bytes in hex; only the SHA-256 is stored.
public enum APIKeys {
    /// A new random key.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "pk_" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Creates, stores and returns a new key (shown once; only its hash is kept).
    public static func create(
        tenant: String, role: APIKeyRole, in store: any APIKeyStore
    ) async throws -> (key: String, record: APIKeyRecord) {
        let key = generate()
        let record = APIKeyRecord(id: UUID().uuidString.lowercased(), hash: SHA256.hex(key), tenant: tenant, role: role)
        try await store.insert(record)
        return (key, record)
    }

    /// Stores `key` as an admin key of tenant `default` (the `PIKA_API_KEY` bootstrap).
    public static func bootstrap(_ key: String, in store: any APIKeyStore) async throws {
        let hash = SHA256.hex(key)
        if try await store.key(hash: hash) != nil { return }
        try await store.insert(APIKeyRecord(id: "bootstrap", hash: hash, tenant: "default", role: .admin))
    }

    /// Whether `tenant` is a valid tenant name (1–64 of `A-Z a-z 0-9 _ - .`, not `..`).
    public static func isValidTenant(_ tenant: String) -> Bool {
        Identifiers.isValid(tenant, maxLength: 64)
    }
}
