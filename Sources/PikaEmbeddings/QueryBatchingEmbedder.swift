import Dispatch
import Synchronization

/// Wraps an embedder so that search queries asked at about the same time are embedded in one
/// call: while one batch is being embedded, the queries that arrive wait and then go together,
/// and an idle embedder may wait ``window`` (at most 1 ms) for companions before it starts.
///
/// One pass over a dozen queries costs less than a dozen passes (the weights are streamed once per
/// pass, and a pass's fixed costs are paid once), at the price of waiting for the pass in flight.
/// Whether that lowers p95 under load is measured, not assumed (docs/benchmarks.md, "Query
/// batching"). Documents (``embed(_:)``) pass straight through: they come in batches already.
/// A failed call fails every query of its batch.
public final class QueryBatchingEmbedder: Embedder {
    /// The wrapped embedder's name: batching does not change the vectors' model.
    public var name: String { inner.name }
    /// The wrapped embedder's dimension.
    public var dimension: Int { inner.dimension }
    /// The wrapped embedder.
    public let inner: any Embedder
    /// How long an idle embedder waits for more queries before it starts a batch (0...1 ms).
    public let window: Duration
    /// The most queries embedded in one call.
    public let maxBatch: Int

    private typealias Waiter = CheckedContinuation<Result<[Float], EmbeddingError>, Never>
    private struct State {
        var pending: [(text: String, waiter: Waiter)] = []
        var running = false
    }
    private let state = Mutex(State())

    /// Wraps `inner`.
    ///
    /// - Parameters:
    ///   - window: the wait for companions before an idle embedder starts (clamped to 0...1 ms).
    ///   - maxBatch: the most queries per call (≥ 1).
    public init(_ inner: any Embedder, window: Duration = .zero, maxBatch: Int = 32) {
        self.inner = inner
        self.window = min(max(window, .zero), .milliseconds(1))
        self.maxBatch = max(1, maxBatch)
    }

    /// Embeds documents: passed straight to the wrapped embedder.
    public func embed(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        try await inner.embed(texts)
    }

    /// Embeds queries, each together with whatever other queries are waiting.
    public func embedQueries(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        guard texts.count == 1 else { return try await inner.embedQueries(texts) }
        let result = await withCheckedContinuation { (waiter: Waiter) in
            let start = state.withLock { state -> Bool in
                state.pending.append((texts[0], waiter))
                guard !state.running else { return false }
                state.running = true
                return true
            }
            if start { Task { await self.drain() } }
        }
        return [try result.get()]
    }

    /// Embeds waiting queries batch by batch until none is left.
    private func drain() async {
        if window > .zero { try? await Task.sleep(for: window) }
        while true {
            let batch = state.withLock { state -> [(text: String, waiter: Waiter)] in
                let taken = Array(state.pending.prefix(maxBatch))
                state.pending.removeFirst(taken.count)
                if taken.isEmpty { state.running = false }
                return taken
            }
            if batch.isEmpty { return }
            do {
                let vectors = try await inner.embedQueries(batch.map(\.text))
                guard vectors.count == batch.count else {
                    let error = EmbeddingError(.embedderMismatch, "\(name) returned \(vectors.count) vectors for \(batch.count) queries")
                    for entry in batch { entry.waiter.resume(returning: .failure(error)) }
                    continue
                }
                for (entry, vector) in zip(batch, vectors) { entry.waiter.resume(returning: .success(vector)) }
            } catch {
                for entry in batch { entry.waiter.resume(returning: .failure(error)) }
            }
        }
    }
}
