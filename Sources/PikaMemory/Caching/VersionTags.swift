import Synchronization

/// Bumps users' version tags after their writes, and remembers the bumps the backend refused.
///
/// A bump that fails (Redis unreachable) leaves the old tag in place, under which answers cached
/// before the write still sit. So a failed bump is kept and retried before this process reads any
/// tag again (``flushPending()``); until it succeeds every lookup fails and the tiers are skipped.
public final class VersionTags: Sendable {
    /// Where the tags live.
    public let backend: any CacheBackend
    private let pending = Mutex<Set<MemoryScope>>([])

    /// Creates the bumper over `backend`.
    public init(backend: any CacheBackend) { self.backend = backend }

    /// Replaces the user's tag (a write to the user has committed).
    public func bump(_ scope: MemoryScope) async {
        do {
            try await backend.bumpVersion(of: scope)
        } catch {
            pending.withLock { _ = $0.insert(scope) }
        }
    }

    /// Retries every refused bump; throws while the backend still refuses one.
    public func flushPending() async throws {
        let scopes = pending.withLock { $0 }
        guard !scopes.isEmpty else { return }
        for scope in scopes {
            try await backend.bumpVersion(of: scope)
            pending.withLock { _ = $0.remove(scope) }
        }
    }

    /// The user's current tag, after any refused bumps went through.
    public func current(_ scope: MemoryScope) async throws -> String {
        try await flushPending()
        return try await backend.version(of: scope)
    }

    /// Bumps refused so far and not yet retried successfully.
    public var pendingCount: Int { pending.withLock { $0.count } }
}
