import Logging

/// One user the vector index was loaded with at start-up: one of their labels (the store maps it
/// to the user's scope) and how many memories they had.
struct LoadedUser: Sendable, Equatable {
    let label: UInt64
    let memories: Int

    /// One entry per engine tenant in `tenants` (parallel to `labels`), in order of first appearance.
    static func group(labels: [UInt64], tenants: [UInt32]) -> [LoadedUser] {
        var slots: [UInt32: Int] = [:]
        var users: [LoadedUser] = []
        for (label, tenant) in zip(labels, tenants) {
            if let slot = slots[tenant] {
                users[slot] = LoadedUser(label: users[slot].label, memories: users[slot].memories + 1)
            } else {
                slots[tenant] = users.count
                users.append(LoadedUser(label: label, memories: 1))
            }
        }
        return users
    }
}

extension MemoryManager {
    /// Builds the keyword (BM25) indexes of the users the vector index was loaded with (or, over a
    /// store that searches its own vectors, of every user it holds), so that no search after
    /// start-up pays for its user's build (about 30 ms of CPU for 1,000 memories,
    /// docs/benchmarks-archive.md), and no search queues behind another user's build.
    ///
    /// One user at a time (bounded: one cooperative thread at most, a yield between users), largest
    /// first, while their memories fit in ``UserKeywordIndexes/documentCapacity`` (users that do
    /// not fit are left to build on their first search, so the prebuild never evicts). Each build
    /// goes through ``UserKeywordIndexes/index(for:load:)``: a search of a user being built waits
    /// for that build instead of starting another, and a write to the user during the build orphans
    /// it (not installed; the next search builds from the store), so the prebuild never installs an
    /// index older than a write that has returned. Cancellation (shutdown) stops it between users.
    ///
    /// If the store cannot be read for the plan, the prebuild throws and its progress says
    /// `stopped`; one user's failed build is only logged and skipped.
    ///
    /// - Complexity: reads each prebuilt user's records once, like their first search would.
    public func prebuildKeywordIndexes() async throws {
        let planned: [(scope: MemoryScope?, memories: Int)]
        do {
            planned = try await prebuildPlan()
        } catch {
            keywordPrebuild.stop()
            throw error
        }
        let store = store
        var budget = keywordIndexes.documentCapacity
        for user in planned {
            try Task.checkCancellation()
            // A user whose first loaded memory is gone since start-up is left to their first search.
            guard let scope = user.scope, user.memories <= budget else {
                keywordPrebuild.skipped()
                continue
            }
            do {
                let index = try await keywordIndexes.index(for: scope) { try await store.allRecords(scope: scope) }
                budget -= index.count
                keywordPrebuild.built(documents: index.count)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                logger.warning("cannot prebuild a keyword index", metadata: ["scope": "\(scope)", "error": "\(error)"])
                keywordPrebuild.skipped()
            }
            await Task.yield()
        }
        keywordPrebuild.finish()
        let progress = keywordPrebuild.snapshot
        logger.info(
            "keyword indexes prebuilt",
            metadata: [
                "users": "\(progress.built)", "skipped": "\(progress.skipped)", "documents": "\(progress.documents)",
            ])
    }

    /// The users to prebuild, largest first, each with their scope (nil when it can no longer be
    /// found) and memory count: a store that searches its own vectors lists its users itself; else
    /// the users the index was loaded with, their scopes read by one label each. Starts the progress.
    private func prebuildPlan() async throws -> [(scope: MemoryScope?, memories: Int)] {
        if let searchingStore {
            let users = try await searchingStore.scopesWithRecords().sorted {
                ($0.records, $1.scope.tenant, $1.scope.userID) > ($1.records, $0.scope.tenant, $0.scope.userID)
            }
            keywordPrebuild.start(users: users.count)
            return users.map { ($0.scope, $0.records) }
        }
        let loaded = loadedUsers.sorted { ($0.memories, $1.label) > ($1.memories, $0.label) }
        keywordPrebuild.start(users: loaded.count)
        var scopes: [UInt64: MemoryScope] = [:]
        for record in try await store.records(labels: loaded.map(\.label)) { scopes[record.label] = record.scope }
        return loaded.map { (scopes[$0.label], $0.memories) }
    }
}
