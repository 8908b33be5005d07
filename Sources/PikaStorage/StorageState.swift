/// The mutable state of an open data directory, guarded by its state lock.
struct StorageState: Sendable {
    var manifest: Manifest
    /// Healthy sealed segments, oldest first.
    var segments: [SealedSegment]
    /// Deleted rows per segment id (from tombstone files and from the WAL since).
    var deleted: [UInt64: Bitmap] = [:]
    /// Segments whose deleted rows changed since their tombstone file was written.
    var dirty: Set<UInt64> = []
    var growing: GrowingSegment

    /// Removes the live version of `id` wherever it is; false when there is none.
    mutating func removeLive(id: String) -> Bool {
        if growing.remove(id: id) { return true }
        for segment in segments.reversed() {
            var bitmap = deleted[segment.id] ?? Bitmap()
            if let row = segment.liveRow(forID: id, deleted: bitmap) {
                bitmap.insert(row)
                deleted[segment.id] = bitmap
                dirty.insert(segment.id)
                return true
            }
        }
        return false
    }

    mutating func apply(_ entry: WALEntry) throws(StorageError) {
        switch entry {
        case .upsert(let record, let vector, _):
            _ = removeLive(id: record.id)
            try growing.insert(record, vector: vector)
        case .delete(let id, _):
            _ = removeLive(id: id)
        }
    }

    /// The live record with `id`.
    func record(id: String) -> StoredRecord? {
        if let slot = growing.slotOfID[id] { return growing.records[slot] }
        for segment in segments.reversed() {
            if let row = segment.liveRow(forID: id, deleted: deleted[segment.id] ?? Bitmap()) {
                return try? segment.record(at: row)
            }
        }
        return nil
    }
}
