import Synchronization

/// A bounded, thread-safe least-recently-used cache with a time to live per entry.
///
/// Bounded twice: by entry count and by total cost (bytes, as the caller counts them); inserting
/// past either bound evicts least-recently-used entries first. Expired entries are dropped when
/// met. Entries live in a slot array linked into a recency list by index, so `get` and `set` are
/// O(1) and evictions allocate nothing.
public final class LRUCache<Value: Sendable>: Sendable {
    private struct Entry {
        var key: String
        var value: Value
        var cost: Int
        var expires: ContinuousClock.Instant
        var newer = -1
        var older = -1
    }

    private struct State: ~Copyable {
        var slots: [Entry?] = []
        var free: [Int] = []
        var index: [String: Int] = [:]
        var newest = -1
        var oldest = -1
        var cost = 0

        mutating func unlink(_ slot: Int) {
            let entry = slots[slot]!
            if entry.newer >= 0 { slots[entry.newer]!.older = entry.older } else { newest = entry.older }
            if entry.older >= 0 { slots[entry.older]!.newer = entry.newer } else { oldest = entry.newer }
        }

        mutating func pushNewest(_ slot: Int) {
            slots[slot]!.newer = -1
            slots[slot]!.older = newest
            if newest >= 0 { slots[newest]!.newer = slot }
            newest = slot
            if oldest < 0 { oldest = slot }
        }

        mutating func remove(_ slot: Int) {
            unlink(slot)
            let entry = slots[slot]!
            index[entry.key] = nil
            cost -= entry.cost
            slots[slot] = nil
            free.append(slot)
        }
    }

    private let state = Mutex(State())
    /// Most entries held.
    public let capacity: Int
    /// Most total cost held.
    public let maxCost: Int
    /// Default time to live.
    public let ttl: Duration

    /// Creates a cache of at most `capacity` entries and `maxCost` total cost, entries living `ttl`.
    public init(capacity: Int, maxCost: Int = .max, ttl: Duration) {
        self.capacity = max(1, capacity)
        self.maxCost = max(1, maxCost)
        self.ttl = ttl
    }

    /// The live value of `key` (now the most recently used), or nil.
    /// - Complexity: O(1).
    public func get(_ key: String) -> Value? {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard let slot = state.index[key] else { return nil }
            guard state.slots[slot]!.expires > now else {
                state.remove(slot)
                return nil
            }
            state.unlink(slot)
            state.pushNewest(slot)
            return state.slots[slot]!.value
        }
    }

    /// Stores `value` under `key` for `ttl` (the cache's default when nil), evicting as needed.
    /// A value costing more than ``maxCost`` is not stored.
    /// - Complexity: O(1) amortised, plus O(1) per eviction.
    public func set(_ key: String, _ value: Value, cost: Int = 1, ttl: Duration? = nil) {
        let expires = ContinuousClock.now + (ttl ?? self.ttl)
        let (capacity, maxCost) = (self.capacity, self.maxCost)
        state.withLock { state in
            if let slot = state.index[key] { state.remove(slot) }
            guard cost <= maxCost else { return }
            while state.oldest >= 0 && (state.index.count >= capacity || state.cost + cost > maxCost) {
                state.remove(state.oldest)
            }
            let entry = Entry(key: key, value: value, cost: cost, expires: expires)
            let slot: Int
            if let reused = state.free.popLast() {
                slot = reused
                state.slots[slot] = entry
            } else {
                slot = state.slots.count
                state.slots.append(entry)
            }
            state.index[key] = slot
            state.cost += cost
            state.pushNewest(slot)
        }
    }

    /// Removes `key`.
    public func remove(_ key: String) {
        state.withLock { state in
            if let slot = state.index[key] { state.remove(slot) }
        }
    }

    /// Entries held (expired ones included until met).
    public var count: Int { state.withLock { $0.index.count } }

    /// Total cost held.
    public var totalCost: Int { state.withLock { $0.cost } }
}
