import Foundation

/// The L3 tier: query text → embedding, bounded, least-recently-inserted evicted first.
///
/// `@unchecked Sendable` is safe: the dictionary and order list are touched only while `lock` is held.
public final class EmbeddingCache: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [String: [Float]] = [:]
    private var order: [String] = []
    private var hits = 0
    private var misses = 0
    private let capacity: Int

    /// Creates a cache of at most `capacity` entries.
    public init(capacity: Int = 10_000) { self.capacity = max(1, capacity) }

    /// The cached vector of `text` (counted as a hit or a miss).
    public func get(_ text: String) -> [Float]? {
        lock.lock(); defer { lock.unlock() }
        let vector = entries[text]
        if vector == nil { misses += 1 } else { hits += 1 }
        return vector
    }

    /// Hits / (hits + misses) since start; 0 before the first lookup.
    public var hitRate: Double {
        lock.lock(); defer { lock.unlock() }
        return hits + misses == 0 ? 0 : Double(hits) / Double(hits + misses)
    }

    /// Stores `vector` for `text`.
    public func put(_ text: String, _ vector: [Float]) {
        lock.lock(); defer { lock.unlock() }
        if entries.updateValue(vector, forKey: text) == nil { order.append(text) }
        if order.count > capacity {
            let drop = order.count - capacity
            for key in order.prefix(drop) { entries[key] = nil }
            order.removeFirst(drop)
        }
    }

    /// Entries held.
    public var count: Int {
        lock.lock(); defer { lock.unlock() }
        return entries.count
    }
}
