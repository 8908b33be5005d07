import Foundation
import Synchronization

/// ``CacheBackend`` in this process: values in a bounded LRU (by entries and bytes, with each
/// entry's TTL), version tags in another.
///
/// Version tags are `<process epoch>-<counter>`: the epoch is random per process and the counter
/// only grows, so a tag is never handed out twice — not after a tag is evicted, nor after a restart
/// (which matters to L2 summaries, stored in the database with the tag they were built from).
public final class InProcessCache: CacheBackend {
    private let values: LRUCache<[UInt8]>
    private let versions: LRUCache<String>
    private let epoch = String(UInt64.random(in: 0...UInt64.max), radix: 36)
    private let counter = Atomic<UInt64>(0)

    /// Creates a cache of at most `entries` values and `maxBytes` bytes; `users` version tags.
    public init(entries: Int = 100_000, maxBytes: Int = 256 << 20, users: Int = 200_000) {
        values = LRUCache(capacity: entries, maxCost: maxBytes, ttl: .seconds(3600))
        versions = LRUCache(capacity: users, ttl: .seconds(365 * 86_400))
    }

    /// See ``CacheBackend/value(_:)``.
    public func value(_ key: String) async throws -> [UInt8]? { values.get(key) }

    /// See ``CacheBackend/store(_:_:ttl:)``.
    public func store(_ key: String, _ value: [UInt8], ttl: Duration) async throws {
        values.set(key, value, cost: value.count + key.utf8.count, ttl: ttl)
    }

    /// See ``CacheBackend/version(of:)``.
    public func version(of scope: MemoryScope) async throws -> String { currentVersion(scope) }

    /// See ``CacheBackend/bumpVersion(of:)``.
    public func bumpVersion(of scope: MemoryScope) async throws {
        versions.set(CacheKeys.version(scope), freshVersion())
    }

    /// See ``CacheBackend/versionAndResult(of:queryHash:knownVersion:)``: no I/O, so no round trips to save.
    public func versionAndResult(
        of scope: MemoryScope, queryHash: String, knownVersion: String?
    ) async throws
        -> (version: String, value: [UInt8]?)
    {
        let version = currentVersion(scope)
        if version == knownVersion { return (version, nil) }
        return (version, values.get(CacheKeys.search(scope, version: version, queryHash: queryHash)))
    }

    /// See ``CacheBackend/sizeBytes``.
    public var sizeBytes: Int? { values.totalCost }

    /// Values held.
    public var count: Int { values.count }

    private func currentVersion(_ scope: MemoryScope) -> String {
        let key = CacheKeys.version(scope)
        if let version = versions.get(key) { return version }
        // Two readers racing here may each store a fresh tag; both are unused values, so the
        // only cost is a miss for whoever cached under the losing one.
        let version = freshVersion()
        versions.set(key, version)
        return version
    }

    private func freshVersion() -> String {
        "\(epoch)-\(counter.wrappingAdd(1, ordering: .relaxed).newValue)"
    }
}
