import Foundation

extension MemoryManager {
    /// Removes every memory, history entry and graph element of a user, and their index entries.
    /// (The job queue's rows are removed by the caller, which owns the queue.)
    public func deleteUser(_ scope: MemoryScope) async throws -> Int {
        try await locks.withLock(scope) {
            let labels = try await store.deleteScope(scope)
            for label in labels { try? index.remove(label: label) }
            try await graph.deleteScope(scope)
            await writeObservers.notify(scope)
            return labels.count
        }
    }

    /// The user's memories as export lines, oldest first.
    public func export(_ scope: MemoryScope) async throws -> [ExportLine] {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return try await store.allRecords(scope: scope).map { record in
            ExportLine(
                id: record.id, memory: record.text, metadata: record.metadata, agentID: record.agentID, runID: record.runID,
                attribute: record.attribute, provenance: record.provenance,
                createdAt: formatter.string(from: record.createdAt), updatedAt: formatter.string(from: record.updatedAt))
        }
    }

    /// Imports export lines into `scope`, keeping ids. A line whose id the user already has is skipped,
    /// so importing twice changes nothing. An id held by another user or tenant is a conflict.
    /// Returns (imported, skipped).
    public func importLines(_ lines: [ExportLine], scope: MemoryScope) async throws -> (imported: Int, skipped: Int) {
        for line in lines {
            guard UUID(uuidString: line.id) != nil else { throw MemoryError(.invalidArgument, "line id \(line.id) is not a UUID") }
            guard !line.memory.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw MemoryError(.invalidArgument, "line \(line.id) has an empty memory")
            }
        }
        let vectors = try await embed(lines.map(\.memory))
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return try await locks.withLock(scope) {
            var imported = 0, skipped = 0
            let number = try await scopeNumber(scope)
            for (line, vector) in zip(lines, vectors) {
                let id = line.id.lowercased()
                if let existing = try await store.record(id: id, tenant: scope.tenant) {
                    guard existing.scope == scope else { throw MemoryError(.conflict, "memory \(id) belongs to another user") }
                    skipped += 1
                    continue
                }
                let now = Date()
                let record = MemoryRecord(
                    id: id, scope: scope, agentID: line.agentID, runID: line.runID, text: line.memory,
                    metadata: line.metadata ?? [:], attribute: line.attribute, provenance: line.provenance ?? [],
                    createdAt: line.createdAt.flatMap { formatter.date(from: $0) } ?? now,
                    updatedAt: line.updatedAt.flatMap { formatter.date(from: $0) } ?? now, embedding: vector)
                do {
                    let stored = try await store.apply([.add(record)])[0]
                    try index.add(label: stored.label, tenant: number, vector: vector)
                    imported += 1
                } catch let error as MemoryError {
                    throw error
                } catch {
                    throw MemoryError(.conflict, "memory \(id) cannot be imported: \(error)")
                }
            }
            if imported > 0 { await writeObservers.notify(scope) }
            return (imported, skipped)
        }
    }
}
