import PikaRetrieval
import Synchronization

/// The keyword signal's per-user BM25 indexes: built lazily from the store on a user's first
/// keyword or hybrid search, kept in step with every committed write to that user by
/// ``MemoryManager`` (the add pipeline's writes are applied in place with ``apply(_:to:)``; updates
/// and deletes by id, imports, user deletions and other processes' writes drop the index with
/// ``invalidate(_:)``), and bounded in memory by a least-recently-used policy over the number of
/// indexed documents. Applying a write in place instead of dropping the index matters under load:
/// with 100 writes/s the hot users' indexes were rebuilt from the store after nearly every search.
///
/// Builds run outside the lock. Concurrent searches of a user share one build. A write that
/// lands while a build is reading the store orphans that build: its index still answers the
/// searches that were waiting for it (a read concurrent with a write may see either side) but
/// is never installed, so no search after the write returns can see an index older than the write.
public final class UserKeywordIndexes: Sendable {
    private struct Resident: Sendable {
        var index: BM25Index
        var lastUse: UInt64
    }

    private struct Build: Sendable {
        let id: UInt64
        let task: Task<BM25Index, any Error>
    }

    private struct State: Sendable {
        var resident: [MemoryScope: Resident] = [:]
        var building: [MemoryScope: Build] = [:]
        var documents = 0
        var clock: UInt64 = 0
    }

    private let state = Mutex(State())
    /// Most documents held over all resident users; the least recently searched users go first.
    public let documentCapacity: Int
    /// BM25 parameters (docs/evaluation.md: k1 0.9, b 0.4 measured best on LoCoMo's short memories).
    public let parameters: BM25Parameters
    /// The tokeniser (Vietnamese diacritics folded, English stemmed).
    public let tokenizer: TextTokenizer

    /// Creates an empty set of indexes holding at most `documentCapacity` documents in all.
    public init(
        documentCapacity: Int = 200_000, parameters: BM25Parameters = BM25Parameters(),
        tokenizer: TextTokenizer = TextTokenizer()
    ) {
        self.documentCapacity = max(1, documentCapacity)
        self.parameters = parameters
        self.tokenizer = tokenizer
    }

    /// The user's index, built from `load` (the user's live records) when it is not resident.
    public func index(
        for scope: MemoryScope, load: @escaping @Sendable () async throws -> [MemoryRecord]
    ) async throws -> BM25Index {
        enum Step {
            case ready(BM25Index)
            case wait(Build)
        }
        let step: Step = state.withLock { state in
            state.clock += 1
            if var resident = state.resident[scope] {
                resident.lastUse = state.clock
                state.resident[scope] = resident
                return .ready(resident.index)
            }
            if let build = state.building[scope] { return .wait(build) }
            let parameters = parameters
            let tokenizer = tokenizer
            let build = Build(
                id: state.clock,
                task: Task {
                    var index = BM25Index(parameters: parameters, tokenizer: tokenizer)
                    for record in try await load() { index.add(record.label, text: record.text) }
                    return index
                })
            state.building[scope] = build
            return .wait(build)
        }
        switch step {
        case .ready(let index):
            return index
        case .wait(let build):
            let result = await build.task.result
            state.withLock { state in
                guard state.building[scope]?.id == build.id else { return }  // orphaned by a write
                state.building[scope] = nil
                if case .success(let index) = result { install(index, for: scope, in: &state) }
            }
            return try result.get()
        }
    }

    /// One committed write of a memory, as the keyword index sees it.
    public enum Change: Sendable {
        /// The memory under `label` now has `text` (added or re-texted).
        case upsert(label: UInt64, text: String)
        /// The memory under `label` is gone.
        case remove(label: UInt64)
    }

    /// Applies a committed write to the user's resident index, which then scores exactly like an
    /// index rebuilt from the store (``BM25Index`` keeps its statistics exact under adds and
    /// removes). Call it under the user's write lock, after the store commit and before the write
    /// returns. A build in flight is orphaned, as by ``invalidate(_:)``; a user without a resident
    /// index is left alone (their next search builds from the store, which has the write).
    public func apply(_ change: Change, to scope: MemoryScope) {
        state.withLock { state in
            state.building[scope] = nil
            // Moved out of the dictionary so that, when no search holds a copy, the index is
            // mutated in place rather than copied.
            guard var resident = state.resident.removeValue(forKey: scope) else { return }
            state.documents -= resident.index.count
            switch change {
            case .upsert(let label, let text): resident.index.add(label, text: text)
            case .remove(let label): resident.index.remove(label)
            }
            state.documents += resident.index.count
            state.resident[scope] = resident
            evictBeyondCapacity(keeping: scope, in: &state)
        }
    }

    /// Drops the user's index and orphans any build in flight (called after writes that are not
    /// applied in place).
    public func invalidate(_ scope: MemoryScope) {
        state.withLock { state in
            state.building[scope] = nil
            if let old = state.resident.removeValue(forKey: scope) { state.documents -= old.index.count }
        }
    }

    /// Users whose index is resident.
    public var residentUsers: Int { state.withLock { $0.resident.count } }

    /// Documents over all resident indexes.
    public var residentDocuments: Int { state.withLock { $0.documents } }

    /// Whether the user's index is resident.
    public func isResident(_ scope: MemoryScope) -> Bool { state.withLock { $0.resident[scope] != nil } }

    private func install(_ index: BM25Index, for scope: MemoryScope, in state: inout State) {
        if let old = state.resident.updateValue(Resident(index: index, lastUse: state.clock), forKey: scope) {
            state.documents -= old.index.count
        }
        state.documents += index.count
        evictBeyondCapacity(keeping: scope, in: &state)
    }

    /// Evicts least recently used users (never `scope`) until under capacity. O(users) per
    /// eviction; resident users are few (capacity / documents per user).
    private func evictBeyondCapacity(keeping scope: MemoryScope, in state: inout State) {
        while state.documents > documentCapacity, state.resident.count > 1 {
            guard let victim = state.resident.filter({ $0.key != scope }).min(by: { $0.value.lastUse < $1.value.lastUse })
            else { break }
            state.documents -= victim.value.index.count
            state.resident[victim.key] = nil
        }
    }
}
