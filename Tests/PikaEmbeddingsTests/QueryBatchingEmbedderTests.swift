import Foundation
import Synchronization
import Testing

@testable import PikaEmbeddings

/// The hashing embedder behind a gate: every call is recorded and waits until released, so a test
/// decides which queries arrive while a call is in flight.
private final class GatedEmbedder: Embedder {
    let name = "hashing-v1"
    let dimension = 64
    private let hashing: HashingEmbedder
    private let calls = Mutex<[[String]]>([])
    private let failing: Bool
    private let gate = DispatchSemaphore(value: 0)

    init(failing: Bool = false) throws {
        hashing = try HashingEmbedder(dimension: 64)
        self.failing = failing
    }

    var recorded: [[String]] { calls.withLock { $0 } }
    func release(_ count: Int) { for _ in 0..<count { gate.signal() } }

    func embed(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        calls.withLock { $0.append(texts) }
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                self.gate.wait()
                continuation.resume()
            }
        }
        if failing { throw EmbeddingError(.remoteStatus, "down") }
        return try await hashing.embed(texts)
    }
}

@Suite("Query batching: concurrent queries share one call and get their own vectors")
struct QueryBatchingEmbedderTests {
    private func waitFor(_ condition: () -> Bool) async throws {
        for _ in 0..<2000 where !condition() { try await Task.sleep(for: .milliseconds(1)) }
        #expect(condition())
    }

    @Test("queries that arrive while a call runs go together in the next, each with its own vector")
    func batchesWhileBusy() async throws {
        let inner = try GatedEmbedder()
        let batching = QueryBatchingEmbedder(inner)
        #expect(batching.identity == inner.identity)
        let texts = (0..<6).map { "question number \($0) about tea and chess" }
        let reference = try await HashingEmbedder(dimension: 64).embed(texts)
        let first = Task { try await batching.embedQuery(texts[0]) }
        try await waitFor { inner.recorded.count == 1 }
        let others = texts.dropFirst().map { text in Task { try await batching.embedQuery(text) } }
        // The five wait for the first call; none starts a call of its own.
        try await Task.sleep(for: .milliseconds(50))
        #expect(inner.recorded.count == 1)
        inner.release(2)
        #expect(try await first.value == reference[0])
        for (task, expected) in zip(others, reference.dropFirst()) { #expect(try await task.value == expected) }
        #expect(inner.recorded.map(\.count) == [1, 5])
        #expect(Set(inner.recorded[1]) == Set(texts.dropFirst()))
    }

    @Test("a failed call fails every query of its batch; the next batch starts afresh; documents pass through")
    func failuresAndDocuments() async throws {
        let inner = try GatedEmbedder(failing: true)
        let batching = QueryBatchingEmbedder(inner, window: .milliseconds(5))
        #expect(batching.window == .milliseconds(1))  // clamped to the 1 ms
        let tasks = (0..<3).map { n in Task { try await batching.embedQuery("q\(n)") } }
        try await waitFor { inner.recorded.count >= 1 }
        inner.release(3)
        for task in tasks {
            await #expect(throws: EmbeddingError(.remoteStatus, "down")) { try await task.value }
        }
        let again = Task { try await batching.embedQuery("later") }
        try await waitFor { inner.recorded.last == ["later"] }
        inner.release(1)
        await #expect(throws: EmbeddingError.self) { try await again.value }
        let documents = Task { try await batching.embed(["a", "b"]) }
        try await waitFor { inner.recorded.last == ["a", "b"] }
        inner.release(1)
        await #expect(throws: EmbeddingError.self) { try await documents.value }
    }
}
