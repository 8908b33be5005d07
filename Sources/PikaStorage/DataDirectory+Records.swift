/// One change a caller commits to a data directory, with an optional note logged beside it.
///
/// The note travels in the same write-ahead log record as the change, so it is durable exactly
/// when the change is: the memory service puts each memory's history event there and projects
/// the notes into its relational history, replaying the ones a crash kept from it
/// (``RecoveryReport/notes``).
public enum RecordChange: Sendable, Hashable {
    /// Insert the record, or replace the live record with the same id.
    case upsert(StoredRecord, vector: [Float], note: String?)
    /// Delete the live record with this id (logged even when there is none, so its note is kept).
    case delete(id: String, note: String?)
}

/// A note that the write-ahead log replayed at open, with the log sequence number of its change.
public struct LoggedNote: Sendable, Hashable {
    /// The change's log sequence number (strictly increasing, never reused).
    public var lsn: UInt64
    /// The note as written.
    public var note: String
}

extension DataDirectory {
    /// Commits changes in order with one log append and, per the durability policy, one fsync;
    /// returns the log sequence number of the last (the first is that minus `changes.count - 1`).
    /// Every vector is validated before anything is logged: a bad one fails the whole batch.
    /// - Throws: `dimensionMismatch`, `invalidVector`, `invalidArgument` (empty batch), `readOnly`, `io`.
    @discardableResult
    public func commit(_ changes: [RecordChange]) throws(StorageError) -> UInt64 {
        guard !changes.isEmpty else { throw StorageError(code: .invalidArgument, message: "nothing to commit") }
        var entries: [WALEntry] = []
        entries.reserveCapacity(changes.count)
        for change in changes {
            switch change {
            case .upsert(let record, let vector, let note):
                try validate(vector)
                entries.append(.upsert(record, vector: vector, note: note))
            case .delete(let id, let note):
                entries.append(.delete(id: id, note: note))
            }
        }
        return try write(entries)
    }

    /// The live records of `tenant` in every segment, growing included (any order).
    ///
    /// A sealed segment holds each tenant as one contiguous block, so this reads that block's
    /// payloads and nothing else. A record that fails its checksum is reported, not skipped.
    public func records(tenant: UInt32) throws(StorageError) -> [StoredRecord] {
        let (growing, segments, deleted) = state.withLock { s in
            (s.growing.records.values.filter { $0.tenant == tenant }, s.segments, s.deleted)
        }
        var out = growing
        for segment in segments {
            guard let rows = segment.rows(ofTenant: tenant) else { continue }
            let gone = deleted[segment.id] ?? Bitmap()
            for row in rows where !gone.contains(row) { out.append(try segment.record(at: row)) }
        }
        return out
    }

    /// How many live records `tenant` has, counted without reading any record.
    public func liveCount(tenant: UInt32) -> Int {
        let (growing, segments, deleted) = state.withLock { s in
            (s.growing.records.values.reduce(0) { $0 + ($1.tenant == tenant ? 1 : 0) }, s.segments, s.deleted)
        }
        var count = growing
        for segment in segments {
            guard let rows = segment.rows(ofTenant: tenant) else { continue }
            count += rows.count - (deleted[segment.id]?.count(in: rows) ?? 0)
        }
        return count
    }

    /// How many live records each tenant holds (tenants with none left out), counted in one pass
    /// over the growing records and each segment's tenant directory, reading no record.
    public func liveCounts() -> [UInt32: Int] {
        let (growing, segments, deleted) = state.withLock { s in
            (s.growing.records.values.reduce(into: [UInt32: Int]()) { $0[$1.tenant, default: 0] += 1 }, s.segments, s.deleted)
        }
        var counts = growing
        for segment in segments {
            let gone = deleted[segment.id]
            for i in 0..<segment.header.tenants {
                let entry = segment.tenantEntry(i)
                let live = entry.rows.count - (gone?.count(in: entry.rows) ?? 0)
                if live > 0 { counts[entry.tenant, default: 0] += live }
            }
        }
        return counts
    }

    /// The live records of `tenant` with their stored vectors (any order): ``records(tenant:)``
    /// and each one's vector, for exact scoring of a few chosen records.
    public func entries(tenant: UInt32) throws(StorageError) -> [(record: StoredRecord, vector: [Float])] {
        let (growing, segments, deleted) = state.withLock { s in
            (
                s.growing.records.filter { $0.value.tenant == tenant }.compactMap { slot, record in
                    (try? s.growing.index.vector(for: slot)).map { (record, $0) }
                }, s.segments, s.deleted
            )
        }
        var out = growing
        for segment in segments {
            guard let rows = segment.rows(ofTenant: tenant) else { continue }
            let gone = deleted[segment.id] ?? Bitmap()
            for row in rows where !gone.contains(row) { out.append((try segment.record(at: row), segment.vector(at: row))) }
        }
        return out
    }

    /// The live record with `id` and its stored vector, or nil.
    public func recordWithVector(id: String) -> (record: StoredRecord, vector: [Float])? {
        state.withLock { s -> (StoredRecord, [Float])? in
            if let slot = s.growing.slotOfID[id], let record = s.growing.records[slot],
                let vector = try? s.growing.index.vector(for: slot)
            {
                return (record, vector)
            }
            for segment in s.segments.reversed() {
                if let row = segment.liveRow(forID: id, deleted: s.deleted[segment.id] ?? Bitmap()),
                    let record = try? segment.record(at: row)
                {
                    return (record, segment.vector(at: row))
                }
            }
            return nil
        }
    }

    /// The sequence number of the last logged change (0 when none yet).
    public var lastLSN: UInt64 { writer.withLock { $0.nextLSN } - 1 }

    /// Live records in the growing segment (what the next seal writes out).
    public var growingCount: Int { state.withLock { $0.growing.count } }

    /// Sealed segments that hold deleted rows, with how many rows and how many of them are deleted.
    public var segmentOccupancy: [(rows: Int, deleted: Int)] {
        state.withLock { s in s.segments.map { ($0.rows, s.deleted[$0.id]?.count ?? 0) } }
    }
}
