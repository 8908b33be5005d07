import Foundation
import PikaMemory
import Synchronization

/// An ``APIKeyStore`` that remembers the keys it has found, so requests keep authenticating while the
/// store behind it (PostgreSQL) is unreachable: searches go on answering from the engine during an outage.
/// On SQLite it spares each request a database call (and a hop through a connection's queue).
///
/// A remembered key is served without asking the store for `freshFor`; after that the store is asked
/// again and the memory is only used when the store fails with `unavailable`. Unknown keys are never
/// remembered (a new key works at once) and keys are never revoked, so serving a remembered key during
/// an outage cannot grant what the store would refuse.
public final class RememberingAPIKeyStore: APIKeyStore {
    private let store: any APIKeyStore
    private let freshFor: TimeInterval
    private let remembered = Mutex<[String: (record: APIKeyRecord, checked: Date)]>([:])

    /// Wraps `store`.
    public init(_ store: any APIKeyStore, freshFor: TimeInterval = 60) {
        self.store = store
        self.freshFor = freshFor
    }

    /// See ``APIKeyStore/insert(_:)``.
    public func insert(_ key: APIKeyRecord) async throws {
        try await store.insert(key)
        remembered.withLock { $0[key.hash] = (key, Date()) }
    }

    /// See ``APIKeyStore/key(hash:)``.
    public func key(hash: String) async throws -> APIKeyRecord? {
        let known = remembered.withLock { $0[hash] }
        if let known, Date().timeIntervalSince(known.checked) < freshFor { return known.record }
        do {
            let found = try await store.key(hash: hash)
            remembered.withLock { $0[hash] = found.map { ($0, Date()) } }
            return found
        } catch let error as MemoryError where error.code == .unavailable {
            if let known { return known.record }
            throw error
        }
    }
}
