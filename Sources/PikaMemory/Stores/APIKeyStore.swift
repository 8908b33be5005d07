/// Stored API keys (hashes only).
public protocol APIKeyStore: Sendable {
    /// Stores a key record (replacing one with the same hash).
    func insert(_ key: APIKeyRecord) async throws
    /// The key whose SHA-256 is `hash`.
    func key(hash: String) async throws -> APIKeyRecord?
}
