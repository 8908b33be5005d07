import Synchronization

/// Users whose L2 summary should be rebuilt soon: after a write, or when a lookup found it outdated.
///
/// A set, not a queue: asking twice before the worker gets to a user rebuilds once. `request` never
/// blocks (write observers call it while holding the user's write lock).
public final class SummaryRequests: Sendable {
    private struct State {
        var waiting: [MemoryScope] = []
        var queued: Set<MemoryScope> = []
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Creates an empty set.
    public init() {}

    /// Asks for `scope`'s summary to be rebuilt.
    public func request(_ scope: MemoryScope) {
        let waiter: CheckedContinuation<Void, Never>? = state.withLock { state in
            guard state.queued.insert(scope).inserted else { return nil }
            state.waiting.append(scope)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Takes every waiting user, oldest request first (empty if none).
    public func take() -> [MemoryScope] {
        state.withLock { state in
            defer {
                state.waiting = []
                state.queued = []
            }
            return state.waiting
        }
    }

    /// Returns when a request is waiting (at once if one is) or the task is cancelled.
    public func wait() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state in
                    if !state.waiting.isEmpty || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }

    /// Users waiting.
    public var count: Int { state.withLock { $0.waiting.count } }
}
