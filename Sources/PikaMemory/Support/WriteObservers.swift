import Synchronization

/// Callbacks run after every committed write to a user's memories (add, update, delete, import,
/// user deletion). Cache tiers bump the user's version tag here. (The per-user keyword indexes
/// are updated by ``MemoryManager`` itself, in place where it can.) Observers run while the user's write lock is still held, so the next write of that
/// user cannot start before every observer has seen this one.
public final class WriteObservers: Sendable {
    private let observers = Mutex<[@Sendable (MemoryScope) async -> Void]>([])

    /// Creates an empty list.
    public init() {}

    /// Adds `observer`; it runs after each later write, in registration order.
    public func add(_ observer: @escaping @Sendable (MemoryScope) async -> Void) {
        observers.withLock { $0.append(observer) }
    }

    /// Runs every observer for `scope`.
    func notify(_ scope: MemoryScope) async {
        let current = observers.withLock { $0 }
        for observer in current { await observer(scope) }
    }
}
