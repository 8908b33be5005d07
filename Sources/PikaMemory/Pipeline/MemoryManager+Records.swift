import Foundation

extension MemoryManager {
    /// A memory of `tenant`; another tenant's id is "not found".
    public func memory(id: String, tenant: String) async throws -> MemoryRecord {
        guard let record = try await store.record(id: id, tenant: tenant) else {
            throw MemoryError(.notFound, "memory \(id) not found")
        }
        return record
    }

    /// A page of a user's memories after `cursor` (an engine label), and the next cursor.
    public func list(
        scope: MemoryScope, agentID: String?, runID: String?, after cursor: UInt64, limit: Int
    ) async throws
        -> (records: [MemoryRecord], next: UInt64?)
    {
        let page = try await store.records(scope: scope, agentID: agentID, runID: runID, afterLabel: cursor, limit: limit + 1)
        let records = Array(page.prefix(limit))
        return (records, page.count > limit ? records.last?.label : nil)
    }

    /// Changes a memory's text (re-embedded) and/or metadata (merged; a null value removes a key).
    public func update(id: String, tenant: String, text: String?, metadata: [String: JSONValue]?) async throws -> MemoryRecord {
        let existing = try await memory(id: id, tenant: tenant)
        return try await locks.withLock(existing.scope) {
            var record = try await memory(id: id, tenant: tenant)
            let previous = record.text
            if let text {
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                guard !trimmed.isEmpty else { throw MemoryError(.invalidArgument, "text must not be empty") }
                record.text = trimmed
                record.embedding = try await embed([trimmed])[0]
            }
            if let metadata {
                for (key, value) in metadata {
                    if value == .null { record.metadata[key] = nil } else { record.metadata[key] = value }
                }
            }
            record.updatedAt = Date()
            _ = try await store.apply([.update(record, previousText: previous)])
            keywordIndexes.invalidate(record.scope)
            try await finishCommittedWrite(of: record.scope) {
                if text != nil {
                    try indexUpdate(label: record.label, tenant: try await scopeNumber(record.scope), vector: record.embedding)
                }
            }
            return record
        }
    }

    /// Deletes a memory (its history keeps the DELETE event until the user is deleted).
    public func delete(id: String, tenant: String) async throws {
        let existing = try await memory(id: id, tenant: tenant)
        try await locks.withLock(existing.scope) {
            var record = try await memory(id: id, tenant: tenant)
            record.updatedAt = Date()
            _ = try await store.apply([.delete(record)])
            indexRemove(labels: [record.label])
            keywordIndexes.invalidate(record.scope)
            try await finishCommittedWrite(of: record.scope) {
                try await graph.retire(memoryID: record.id, scope: record.scope)
            }
        }
    }

    /// A memory's history, oldest first; unknown (or another tenant's) ids are "not found".
    public func history(id: String, tenant: String) async throws -> [HistoryEntry] {
        let entries = try await store.history(memoryID: id, tenant: tenant)
        guard !entries.isEmpty else { throw MemoryError(.notFound, "memory \(id) not found") }
        return entries
    }

    /// The user's graph around `entity` (all of it when nil).
    public func graph(scope: MemoryScope, entity: String?, depth: Int) async throws -> ([GraphEntity], [GraphRelation]) {
        try await graph.subgraph(entity: entity, depth: depth, scope: scope)
    }
}
