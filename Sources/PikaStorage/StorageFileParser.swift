import PikaEngine

/// Parses one storage file's bytes as the data directory would, for the libFuzzer targets
/// (`Tests/StorageFuzz`) and for tools that check a single file. Every failure is a
/// `StorageError` naming `path`; no input may crash it.
public enum StorageFileParser {
    /// The file kinds of a data directory.
    public enum Kind: String, Sendable, CaseIterable {
        /// `MANIFEST`.
        case manifest
        /// `wal-NNNNNN.log`: header and every record.
        case wal
        /// `seg-NNNNNN.pseg`: header, metadata, every record, tenant and id lookups.
        case segment
        /// `seg-NNNNNN-dG.del`.
        case tombstones
        /// A snapshot archive: header and every entry, checksums included.
        case snapshot
    }

    /// Parses `bytes` as a file of `kind`; returns a short summary of what it held.
    @discardableResult
    public static func parse(_ bytes: [UInt8], as kind: Kind, path: String = "input") throws(StorageError) -> String {
        switch kind {
        case .manifest:
            let m = try bytes.withRawBytes { (raw) throws(StorageError) in try Manifest.decode(raw, path: path) }
            return "manifest generation \(m.generation), \(m.segments.count) segments"
        case .wal:
            let scan = try bytes.withRawBytes { (raw) throws(StorageError) in try WALFormat.scan(raw, path: path) }
            if let damage = scan.damage { throw damage }
            return "wal \(scan.entries.count) records, \(scan.tornBytes) torn bytes"
        case .segment:
            let file = MappedFile(copying: bytes, path: path)
            let header = try SegmentFormat.parseHeader(file.bytes, path: path)
            let segment = try SealedSegment(
                file: file, directory: "/nonexistent",
                entry: Manifest.Segment(id: 1, file: path, graph: nil, tombstones: nil, rows: header.rows))
            var records = 0
            for row in 0..<min(segment.rows, 10_000) {
                let record = try segment.record(at: row)
                _ = segment.candidateRows(forID: record.id)
                _ = segment.tenant(ofRow: row)
                records += 1
            }
            for tenant in segment.tenants.prefix(100) {
                if let range = segment.rows(ofTenant: tenant), header.dimension <= 4096 {
                    let query = [Float](repeating: 0.5, count: header.dimension)
                    let upper = min(range.upperBound, range.lowerBound + 1000)
                    _ = try? segment.scan(query, rows: range.lowerBound..<upper, k: 3, deleted: Bitmap())
                }
            }
            try segment.verifyDeep()
            return "segment \(header.rows) rows, \(header.tenants) tenants, \(records) records read"
        case .tombstones:
            let rows = try bytes.withRawBytes { (raw) throws(StorageError) in
                try TombstoneFile.decode(
                    raw, path: path, segment: raw.count >= 24 ? raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self) : 0,
                    rowLimit: 1 << 20)
            }
            return "tombstones \(rows.count) rows"
        case .snapshot:
            let header = try bytes.withRawBytes { (raw) throws(StorageError) in try SnapshotArchive.parseHeader(raw, path: path) }
            var files = 0
            try bytes.withRawBytes { (raw) throws(StorageError) in
                var r = ByteReader(raw, path: path, offset: SnapshotArchive.headerSize)
                for _ in 0..<header.files {
                    let (name, size) = try SnapshotArchive.parseEntry(&r)
                    let data = try r.bytes(size, name)
                    guard Checksum.crc32c(data) == (try r.u32()) else { throw .corrupt(path, "\(name): checksum mismatch") }
                    if name == Manifest.fileName { _ = try Manifest.decode(data, path: path) }
                    files += 1
                }
            }
            return "snapshot \(files) files"
        }
    }
}
