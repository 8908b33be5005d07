/// One writer at a time per user: a user's jobs and edits apply in order; different users run in parallel.
public actor ScopeLocks {
    private var held: Set<MemoryScope> = []
    private var waiters: [MemoryScope: [CheckedContinuation<Void, Never>]] = [:]

    /// Creates an empty lock table.
    public init() {}

    /// Runs `body` holding `scope`'s lock.
    public nonisolated func withLock<T: Sendable>(_ scope: MemoryScope, _ body: () async throws -> T) async throws -> T {
        await acquire(scope)
        do {
            let value = try await body()
            await release(scope)
            return value
        } catch {
            await release(scope)
            throw error
        }
    }

    private func acquire(_ scope: MemoryScope) async {
        if held.insert(scope).inserted { return }
        await withCheckedContinuation { waiters[scope, default: []].append($0) }
    }

    private func release(_ scope: MemoryScope) {
        if var queue = waiters[scope], !queue.isEmpty {
            let next = queue.removeFirst()
            waiters[scope] = queue.isEmpty ? nil : queue
            next.resume()  // ownership passes to the waiter; `held` keeps the scope
        } else {
            held.remove(scope)
        }
    }
}
