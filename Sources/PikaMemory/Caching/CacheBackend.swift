/// Where the L1 and L3 tiers keep their bytes and the version tags live: this process
/// (``InProcessCache``, the embedded default) or Redis (`PikaRedis.RedisCache`).
///
/// A version tag names the state of one user's memories: every committed write to the user
/// replaces it with a value never used before, and every result key carries it, so an answer
/// cached before a write can never be found after it. A backend that loses a tag (eviction,
/// restart) hands out a fresh one on the next read, which is safe for the same reason.
/// Methods throw when the backend cannot be reached; callers skip the tier and count an error.
public protocol CacheBackend: Sendable {
    /// The bytes under `key`, or nil.
    func value(_ key: String) async throws -> [UInt8]?
    /// Stores `value` under `key` for `ttl`.
    func store(_ key: String, _ value: [UInt8], ttl: Duration) async throws
    /// The user's current version tag (a fresh one if the user has none).
    func version(of scope: MemoryScope) async throws -> String
    /// Replaces the user's version tag with a new value (after a committed write).
    func bumpVersion(of scope: MemoryScope) async throws
    /// The user's version tag and the result stored under `CacheKeys.search(scope, version, queryHash)`,
    /// in one round trip where the backend can; the value is not fetched when the version equals
    /// `knownVersion` (the caller already holds that answer).
    func versionAndResult(
        of scope: MemoryScope, queryHash: String, knownVersion: String?
    ) async throws
        -> (version: String, value: [UInt8]?)
    /// Bytes held, for in-process backends (`cache_size_bytes`); nil when the server reports its own.
    var sizeBytes: Int? { get }
}

extension CacheBackend {
    /// Two steps: the version, then the value.
    public func versionAndResult(
        of scope: MemoryScope, queryHash: String, knownVersion: String?
    ) async throws
        -> (version: String, value: [UInt8]?)
    {
        let version = try await version(of: scope)
        if version == knownVersion { return (version, nil) }
        return (version, try await value(CacheKeys.search(scope, version: version, queryHash: queryHash)))
    }
}
