import Foundation

extension MemoryManager {
    /// Removes every memory, history entry and graph element of a user, and their index entries.
    /// (The job queue's rows are removed by the caller, which owns the queue.)
    public func deleteUser(_ scope: MemoryScope) async throws -> Int {
        try await locks.withLock(scope) {
            let labels = try await store.deleteScope(scope)
            indexRemove(labels: labels)
            keywordIndexes.invalidate(scope)
            try await finishCommittedWrite(of: scope) { try await graph.deleteScope(scope) }
            return labels.count
        }
    }

    /// The user's memories as export lines, oldest first.
    public func export(_ scope: MemoryScope) async throws -> [ExportLine] {
        try await store.allRecords(scope: scope).map(ExportLine.init(record:))
    }

    /// Imports export lines into `scope`, keeping ids, all or nothing: every line is checked and
    /// embedded first, then the new memories are committed in one store transaction. A line whose
    /// id the user already has (or that repeats an earlier line's id) is skipped without being
    /// embedded, so importing twice changes nothing. An id held by another user or tenant is a
    /// conflict. `progress` is told how many lines have been embedded, batch by batch.
    /// Returns (imported, skipped).
    public func importLines(
        _ lines: [ExportLine], scope: MemoryScope, progress: (@Sendable (_ embedded: Int, _ total: Int) -> Void)? = nil
    ) async throws -> (imported: Int, skipped: Int) {
        for line in lines {
            guard UUID(uuidString: line.id) != nil else { throw MemoryError(.invalidArgument, "line id \(line.id) is not a UUID") }
            guard !line.memory.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw MemoryError(.invalidArgument, "line \(line.id) has an empty memory")
            }
        }
        var seen = Set<String>()
        var pending: [ExportLine] = []
        for line in lines where seen.insert(line.id.lowercased()).inserted {
            if try await isImported(line, scope: scope) { continue }
            pending.append(line)
        }
        var vectors: [[Float]] = []
        let batch = 64
        for start in stride(from: 0, to: pending.count, by: batch) {
            vectors += try await embed(pending[start..<min(start + batch, pending.count)].map(\.memory))
            progress?(vectors.count, pending.count)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let candidates = pending
        let embedded = vectors
        return try await locks.withLock(scope) {
            var records: [MemoryRecord] = []
            // Checked again under the lock: a concurrent import may have added some of them.
            for (line, vector) in zip(candidates, embedded) {
                if try await isImported(line, scope: scope) { continue }
                let now = Date()
                records.append(
                    MemoryRecord(
                        id: line.id.lowercased(), scope: scope, agentID: line.agentID, runID: line.runID, text: line.memory,
                        metadata: line.metadata ?? [:], attribute: line.attribute, provenance: line.provenance ?? [],
                        kind: line.kind ?? .fact, occurredAt: line.occurredAt.flatMap { RequestTime.parse(.string($0)) },
                        createdAt: line.createdAt.flatMap { formatter.date(from: $0) } ?? now,
                        updatedAt: line.updatedAt.flatMap { formatter.date(from: $0) } ?? now, embedding: vector))
            }
            let skipped = lines.count - records.count
            guard !records.isEmpty else { return (0, skipped) }
            let stored: [MemoryRecord]
            do {
                stored = try await store.apply(records.map { .add($0) })
            } catch let error as MemoryError {
                throw error
            } catch {
                throw MemoryError(.conflict, "the import was refused and nothing was imported: \(error)")
            }
            keywordIndexes.invalidate(scope)
            try await finishCommittedWrite(of: scope) {
                let number = try await scopeNumber(scope)
                try indexAdd(labels: stored.map(\.label), tenant: number, vectors: stored.flatMap(\.embedding))
            }
            return (stored.count, skipped)
        }
    }

    /// Whether the user already holds `line`'s id; another user's or tenant's copy is a conflict.
    private func isImported(_ line: ExportLine, scope: MemoryScope) async throws -> Bool {
        let id = line.id.lowercased()
        guard let existing = try await store.record(id: id, tenant: scope.tenant) else { return false }
        guard existing.scope == scope else { throw MemoryError(.conflict, "memory \(id) belongs to another user") }
        return true
    }
}
