import Logging

/// Keeps a manager's in-memory vector index in step with writes committed by other processes that
/// share its record store (`pika serve` with `pika worker` processes on one data directory).
///
/// Every committed write appends the labels it touched to the store's change feed. ``catchUp()``
/// reads the feed past the last sequence it applied, upserts the live records' vectors into the
/// index (or removes labels that are gone), drops the user's keyword index and tells the manager's
/// write observers about each changed user, so caches keyed by that user drop what they hold.
///
/// Changes this manager's own store wrote (``MemoryChange/writtenHere``) are skipped, the sequence
/// still advancing past them. That is safe because every local write path (add, update, delete,
/// import, user deletion) commits and then, still holding the user's write lock, applies that
/// commit to the vector index and the keyword index and notifies the observers itself, also when
/// a later step of the request fails (see ``MemoryManager/add(_:scope:)``). And whenever a change
/// is applied here, the label's *current* stored state is read, so the order in which local and
/// foreign changes to one label committed does not matter: a foreign change read after a later
/// local one re-applies the local (latest) vector. Re-applying our own writes cost a delete and an
/// insert in the engine, a rebuild of the user's BM25 index and a second version-tag bump per write.
public actor IndexFollower {
    private let manager: MemoryManager
    private let logger: Logger
    private var applied: Int64

    /// Starts following after the store's current last change. Call it before the manager's index
    /// load completes (`MemoryManager.init` loads it), so no change falls between load and follow.
    public init(manager: MemoryManager, startingAfter sequence: Int64, logger: Logger) {
        self.manager = manager
        self.applied = sequence
        self.logger = logger
    }

    /// Applies every change other writers committed since the last call; returns how many labels it
    /// applied (this store's own changes are passed over, not counted).
    /// Concurrent callers wait for one pass (the actor runs one at a time), so a search that starts
    /// after another process's commit sees that commit.
    @discardableResult
    public func catchUp() async throws -> Int {
        var total = 0
        while true {
            let batch: (changes: [MemoryChange], last: Int64)
            do {
                batch = try await manager.store.changes(after: applied, limit: 1000)
            } catch let error as MemoryError where error.code == .conflict {
                // Fell further behind than the feed keeps: re-read every live vector instead.
                logger.warning("change feed trimmed past this process; reloading every vector", metadata: ["after": "\(applied)"])
                let last = try await manager.store.lastChange()
                try await manager.reloadIndex()
                applied = last
                return total
            }
            guard !batch.changes.isEmpty else { return total }
            let foreign = batch.changes.filter { !$0.writtenHere }
            try await apply(foreign)
            applied = batch.last
            total += foreign.count
        }
    }

    private func apply(_ changes: [MemoryChange]) async throws {
        for (scope, scopeChanges) in Dictionary(grouping: changes, by: \.scope) {
            try await Self.apply(scopeChanges, of: scope, to: manager)
        }
    }

    private nonisolated static func apply(
        _ scopeChanges: [MemoryChange], of scope: MemoryScope, to manager: MemoryManager
    )
        async throws
    {
        // Under the user's write lock: a local write between its store commit and its index
        // update must not see this pass add the same label first.
        try await manager.locks.withLock(scope) {
            let labels = Array(Set(scopeChanges.map(\.label)))
            let live = try await manager.store.embeddings(labels: labels)
            var gone = Set(labels)
            for (record, scopeNumber) in live {
                gone.remove(record.label)
                try manager.upsertVector(label: record.label, tenant: scopeNumber, vector: record.embedding)
            }
            for label in gone where manager.index.contains(label: label) {
                try manager.index.remove(label: label)
            }
            manager.keywordIndexes.invalidate(scope)
            await manager.writeObservers.notify(scope)
        }
    }
}

extension MemoryManager {
    /// Follows writes that other processes commit to this manager's store from now on: each later
    /// ``catchUp()`` (searches and adds call it first) applies them to the index. `sequence` is the
    /// store's ``MemoryRecordStore/lastChange()`` read before this manager loaded its index.
    @discardableResult
    public func followOtherWriters(startingAfter sequence: Int64) -> IndexFollower {
        let follower = IndexFollower(manager: self, startingAfter: sequence, logger: logger)
        self.follower.withLock { $0 = follower }
        return follower
    }

    /// Applies writes other processes committed since the last call, when following them (a no-op
    /// otherwise). Cache tiers call it before they look anything up.
    public func catchUp() async throws {
        guard let follower = follower.withLock({ $0 }) else { return }
        try await follower.catchUp()
    }

    /// Adds or replaces one label's vector.
    func upsertVector(label: UInt64, tenant: UInt32, vector: [Float]) throws {
        if index.contains(label: label) {
            try index.update(label: label, tenant: tenant, vector: vector)
        } else {
            try index.add(label: label, tenant: tenant, vector: vector)
        }
    }

    /// Upserts every stored vector (recovery when the change feed no longer reaches back far enough).
    /// Labels deleted meanwhile stay in the index until their next change; search drops them, as it
    /// maps hits through the store, which no longer has them.
    func reloadIndex() async throws {
        let collected = IndexLoader()
        try await store.forEachEmbedding { label, scope, vector in collected.append(label, scope, vector) }
        let (labels, tenants, vectors) = collected.take()
        let dimension = index.dimension
        for (offset, label) in labels.enumerated() {
            try upsertVector(
                label: label, tenant: tenants[offset],
                vector: Array(vectors[offset * dimension..<(offset + 1) * dimension]))
        }
    }
}
