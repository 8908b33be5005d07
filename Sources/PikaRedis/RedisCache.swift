import PikaMemory

/// ``CacheBackend`` on Redis: the L1 result cache, the L3 embedding cache and the version tags,
/// under the seed's key names (``CacheKeys``), shared by every process of the deployment.
///
/// Version tags are random 64-bit values (base 36) set with a 7-day expiry: never reused, so a tag
/// that expires or is evicted is replaced by a fresh one and nothing cached under the old one is
/// found again. ``versionAndResult(of:queryHash:knownVersion:)`` reads the tag and the result under
/// it in one round trip (a short Lua script), skipping the result when the caller already holds it.
public final class RedisCache: CacheBackend {
    /// The connection pool.
    public let client: RedisClient
    /// How long a version tag lives without a write.
    public static let versionTTL = 7 * 86_400

    /// KEYS[1] tag key; ARGV: result key prefix, suffix, fresh tag, tag TTL seconds, version the caller holds.
    static let lookupScript = """
        local v = redis.call('GET', KEYS[1])
        if not v then
          redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
          v = ARGV[3]
        end
        if v == ARGV[5] then return {v} end
        return {v, redis.call('GET', ARGV[1] .. v .. ARGV[2])}
        """

    /// Creates the backend over `client`.
    public init(client: RedisClient) { self.client = client }

    /// See ``CacheBackend/value(_:)``.
    public func value(_ key: String) async throws -> [UInt8]? {
        try await client.execute(RedisCommand("GET", key)).bytes(command: "GET")
    }

    /// See ``CacheBackend/store(_:_:ttl:)``.
    public func store(_ key: String, _ value: [UInt8], ttl: Duration) async throws {
        try await client.execute(.set(key, value, ttl: ttl)).checked(command: "SET")
    }

    /// See ``CacheBackend/version(of:)``: creates the tag (SET NX) and reads it in one round trip.
    public func version(of scope: MemoryScope) async throws -> String {
        let key = CacheKeys.version(scope)
        let replies = try await client.pipeline([
            RedisCommand("SET", key, Self.freshVersion(), "NX", "EX", String(Self.versionTTL)), RedisCommand("GET", key),
        ])
        try replies[0].checked(command: "SET")
        guard let version = try replies[1].string(command: "GET") else {
            throw RedisError(.unexpectedReply, "version tag vanished", command: "GET")
        }
        return version
    }

    /// See ``CacheBackend/bumpVersion(of:)``.
    public func bumpVersion(of scope: MemoryScope) async throws {
        try await client.execute(RedisCommand("SET", CacheKeys.version(scope), Self.freshVersion(), "EX", String(Self.versionTTL)))
            .checked(command: "SET")
    }

    /// See ``CacheBackend/versionAndResult(of:queryHash:knownVersion:)``.
    public func versionAndResult(
        of scope: MemoryScope, queryHash: String, knownVersion: String?
    ) async throws
        -> (version: String, value: [UInt8]?)
    {
        let reply = try await client.execute(
            RedisCommand(
                "EVAL", Self.lookupScript, "1", CacheKeys.version(scope), CacheKeys.searchPrefix(scope), ":" + queryHash,
                Self.freshVersion(), String(Self.versionTTL), knownVersion ?? ""))
        guard case .array(let parts) = try reply.checked(command: "EVAL"), let first = parts.first,
            let version = try first.string(command: "EVAL")
        else {
            throw RedisError(.unexpectedReply, "lookup script returned \(reply)", command: "EVAL")
        }
        return (version, parts.count > 1 ? try parts[1].bytes(command: "EVAL") : nil)
    }

    /// See ``CacheBackend/sizeBytes``: Redis reports its own memory.
    public var sizeBytes: Int? { nil }

    private static func freshVersion() -> String { String(UInt64.random(in: 1...UInt64.max), radix: 36) }
}
