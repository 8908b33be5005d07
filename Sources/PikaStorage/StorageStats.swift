/// Counts and sizes of a data directory (`pika index stats`).
public struct StorageStats: Sendable, Hashable {
    /// One sealed segment.
    public struct Segment: Sendable, Hashable {
        /// Segment id.
        public var id: UInt64
        /// Segment file name.
        public var file: String
        /// Rows stored, deleted ones included.
        public var rows: Int
        /// Deleted rows (tombstones) not yet compacted away.
        public var tombstones: Int
        /// Distinct tenants.
        public var tenants: Int
        /// Bytes of the segment, graph and tombstone files.
        public var bytes: Int
        /// Whether the graph is loaded in memory.
        public var graphLoaded: Bool
    }

    /// Live records.
    public var records: Int
    /// Records in the growing segment (the log).
    public var growingRecords: Int
    /// Sealed segments that opened.
    public var segments: [Segment]
    /// Segments set aside as damaged (file names).
    public var damagedSegments: [String]
    /// Distinct tenants with at least one stored row.
    public var tenants: Int
    /// Tombstones across sealed segments.
    public var tombstones: Int
    /// Bytes of the write-ahead log.
    public var walBytes: Int
    /// Bytes of every file the manifest names.
    public var totalBytes: Int
    /// Manifest generation.
    public var generation: UInt64
    /// Last checkpointed log sequence number.
    public var checkpointLSN: UInt64
}

extension DataDirectory {
    /// Current counts and sizes.
    public func stats() -> StorageStats {
        let (segments, deleted, manifest, growing, growingTenants) = state.withLock { s in
            (s.segments, s.deleted, s.manifest, s.growing.count, Set(s.growing.records.values.map(\.tenant)))
        }
        var tenants = growingTenants
        var out: [StorageStats.Segment] = []
        var total = 0
        for segment in segments {
            let entry = manifest.segments.first { $0.id == segment.id }
            let names = [entry?.file, entry?.graph, entry?.tombstones].compactMap { $0 }
            let bytes = names.reduce(0) { $0 + (POSIX.fileSize(path + "/" + $1) ?? 0) }
            total += bytes
            let ts = segment.tenants
            tenants.formUnion(ts)
            out.append(
                .init(
                    id: segment.id, file: segment.entry.file, rows: segment.rows, tombstones: deleted[segment.id]?.count ?? 0,
                    tenants: ts.count, bytes: bytes, graphLoaded: segment.graphLoaded))
        }
        let wal = POSIX.fileSize(path + "/" + manifest.wal) ?? 0
        total += wal + (POSIX.fileSize(path + "/" + Manifest.fileName) ?? 0)
        let damagedNames = damaged.withLock { $0.map(\.file) }
        return StorageStats(
            records: growing + out.reduce(0) { $0 + $1.rows - $1.tombstones }, growingRecords: growing, segments: out,
            damagedSegments: damagedNames, tenants: tenants.count, tombstones: out.reduce(0) { $0 + $1.tombstones },
            walBytes: wal, totalBytes: total, generation: manifest.generation, checkpointLSN: manifest.checkpointLSN)
    }
}
