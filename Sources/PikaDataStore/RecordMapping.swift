import Foundation
import PikaMemory
import PikaRelational
import PikaStorage

/// Maps the memory service's ``MemoryRecord`` onto the segment store's ``StoredRecord`` and back.
///
/// The stored record's engine tenant is the user's scope number; its owner is the API tenant;
/// metadata and provenance are JSON text; times are milliseconds since the Unix epoch. The
/// vector is not part of either record's payload: it is stored beside the payload.
enum RecordMapping {
    static func stored(_ record: MemoryRecord, scopeNumber: UInt32) -> StoredRecord {
        StoredRecord(
            id: record.id, tenant: scopeNumber, userID: record.scope.userID, agentID: record.agentID, runID: record.runID,
            text: record.text, metadataJSON: record.metadata.isEmpty ? nil : JSONValue.encodeObject(record.metadata),
            createdAt: milliseconds(record.createdAt), updatedAt: milliseconds(record.updatedAt),
            provenance: record.provenance.isEmpty ? nil : SQLiteMemoryStore.encodeList(record.provenance),
            label: record.label, owner: record.scope.tenant, attribute: record.attribute,
            kind: record.kind == .event ? 1 : 0, occurredAt: record.occurredAt.map(milliseconds))
    }

    static func memory(_ stored: StoredRecord, embedding: [Float] = []) -> MemoryRecord {
        MemoryRecord(
            id: stored.id, label: stored.label, scope: MemoryScope(tenant: stored.owner ?? "", userID: stored.userID ?? ""),
            agentID: stored.agentID, runID: stored.runID, text: stored.text,
            metadata: JSONValue.decodeObject(stored.metadataJSON), attribute: stored.attribute,
            provenance: stored.provenance.map { SQLiteMemoryStore.decodeList($0) } ?? [],
            kind: stored.kind == 1 ? .event : .fact, occurredAt: stored.occurredAt.map(date),
            createdAt: date(stored.createdAt), updatedAt: date(stored.updatedAt), embedding: embedding)
    }

    static func milliseconds(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ milliseconds: Int64) -> Date { Date(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
