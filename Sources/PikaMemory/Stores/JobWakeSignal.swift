import Dispatch
import PikaEngine
import Synchronization

/// Wakes waiting job workers when a job may have become available: the queue signals it when it
/// enqueues, completes or requeues a job (the PostgreSQL queue also on each `NOTIFY`), and
/// ``JobQueue/waitForWork(timeout:)`` waits on it, so an idle worker starts a new job at once instead
/// of at its next poll.
///
/// A signal that arrives while nobody waits is remembered, so a worker that found the queue empty just
/// before a job was enqueued does not sleep through it (a wake-up may be spurious, never lost).
public final class JobWakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Creates a signal with nobody waiting and nothing pending.
    public init() {}

    /// Wakes every waiter, or the next one to wait.
    public func signal() {
        let woken = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.waiters.isEmpty else {
                state.pending = true
                return []
            }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Returns at the next signal (at once if one is pending) or after `timeout`.
    public func wait(timeout: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let id: UInt64? = state.withLock { state in
                if state.pending {
                    state.pending = false
                    return nil
                }
                state.nextID += 1
                state.waiters[state.nextID] = continuation
                return state.nextID
            }
            guard let id else { return continuation.resume() }
            let microseconds = max(0, Int(timeout.wholeMicroseconds))
            DispatchQueue.global().asyncAfter(deadline: .now() + .microseconds(microseconds)) { [self] in
                state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
            }
        }
    }
}
