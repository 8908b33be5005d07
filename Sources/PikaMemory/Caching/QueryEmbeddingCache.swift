import Synchronization

/// The L3 tier: query text → embedding, under `embedding:{model}:{hash(text)}` for 24 hours, as
/// little-endian float32 bytes, in the configured ``CacheBackend`` (in-process by default, Redis
/// when configured; the service picks it at start-up with ``use(_:metrics:)``).
///
/// An unreachable backend never fails a search: the lookup counts an error and the text is embedded.
public final class QueryEmbeddingCache: Sendable {
    /// How long an embedding is kept.
    public static let ttl: Duration = .seconds(86_400)
    private let state: Mutex<(backend: any CacheBackend, metrics: CacheMetrics)>

    /// Creates the tier over `backend` (an in-process LRU of 20,000 vectors by default).
    public init(backend: any CacheBackend = InProcessCache(entries: 20_000, maxBytes: 64 << 20), metrics: CacheMetrics = CacheMetrics()) {
        state = Mutex((backend, metrics))
    }

    /// Switches to `backend` and `metrics` (start-up, before the first search).
    public func use(_ backend: any CacheBackend, metrics: CacheMetrics) {
        state.withLock { $0 = (backend, metrics) }
    }

    /// The backend in use.
    public var backend: any CacheBackend { state.withLock { $0.backend } }

    /// The cached embedding of `text` by `model`, or `compute()`'s (then cached).
    public func vector(
        for text: String, model: String, dimension: Int, compute: () async throws -> [Float]
    ) async throws -> [Float] {
        let (backend, metrics) = state.withLock { ($0.backend, $0.metrics) }
        let key = CacheKeys.embedding(model: model, text: text)
        let cached: [UInt8]?
        do {
            cached = try await backend.value(key)
        } catch {
            metrics.record(.l3, .error)
            return try await compute()
        }
        if let cached, let vector = Self.decode(cached, dimension: dimension) {
            metrics.record(.l3, .hit)
            return vector
        }
        metrics.record(.l3, .miss)
        let vector = try await compute()
        try? await backend.store(key, Self.encode(vector), ttl: Self.ttl)
        if let size = backend.sizeBytes { metrics.recordSize(.l3, bytes: size) }
        return vector
    }

    static func encode(_ vector: [Float]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        return bytes
    }

    static func decode(_ bytes: [UInt8], dimension: Int) -> [Float]? {
        guard bytes.count == dimension * 4 else { return nil }
        return (0..<dimension).map { i in
            let b = i * 4
            return Float(bitPattern: UInt32(bytes[b]) | UInt32(bytes[b + 1]) << 8 | UInt32(bytes[b + 2]) << 16 | UInt32(bytes[b + 3]) << 24)
        }
    }
}
