import CHNSW
import PikaEngine
import Synchronization

/// An immutable, memory-mapped sealed segment and its (lazily loaded) HNSW graph.
///
/// Opening maps the file and checks the header and metadata checksums; no vector or
/// payload is read until a search or lookup touches it. The graph file is loaded on the
/// first search that needs it (cross-tenant, or a tenant larger than the exact-scan
/// threshold). Thread-safe: everything is immutable except the lazily loaded graph,
/// which sits behind a mutex.
final class SealedSegment: Sendable {
    let id: UInt64
    let entry: Manifest.Segment
    let directory: String
    let header: SegmentFormat.Header
    private let file: MappedFile
    private let graph = Mutex<VectorIndex?>(nil)

    var path: String { file.path }
    var rows: Int { header.rows }

    convenience init(directory: String, entry: Manifest.Segment) throws(StorageError) {
        try self.init(file: try MappedFile(path: directory + "/" + entry.file), directory: directory, entry: entry)
    }

    init(file: MappedFile, directory: String, entry: Manifest.Segment) throws(StorageError) {
        self.directory = directory
        self.entry = entry
        id = entry.id
        self.file = file
        header = try SegmentFormat.parseHeader(file.bytes, path: file.path)
        guard header.rows == entry.rows else {
            throw .corrupt(file.path, "holds \(header.rows) rows but the manifest says \(entry.rows)")
        }
        let meta = UnsafeRawBufferPointer(rebasing: file.bytes[header.tenantDirectoryOffset..<header.recordsOffset])
        guard Checksum.crc32c(meta) == header.metadataCRC else { throw .corrupt(file.path, "metadata checksum mismatch") }
    }

    private func u64(_ offset: Int) -> UInt64 { UInt64(littleEndian: file.bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    private func u32(_ offset: Int) -> UInt32 { UInt32(littleEndian: file.bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }

    /// Tenant directory entry i: (tenant, rows).
    func tenantEntry(_ i: Int) -> (tenant: UInt32, rows: Range<Int>) {
        let o = header.tenantDirectoryOffset + i * SegmentFormat.tenantEntrySize
        let start = Int(clamping: u64(o + 8))
        let count = Int(clamping: u64(o + 16))
        let lo = min(start, header.rows)
        return (u32(o), lo..<min(lo + min(count, header.rows), header.rows))
    }

    /// The rows of a tenant (binary search of the tenant directory).
    func rows(ofTenant tenant: UInt32) -> Range<Int>? {
        var lo = 0
        var hi = header.tenants
        while lo < hi {
            let mid = (lo + hi) / 2
            let t = tenantEntry(mid).tenant
            if t == tenant { return tenantEntry(mid).rows }
            if t < tenant { lo = mid + 1 } else { hi = mid }
        }
        return nil
    }

    /// Every tenant of the segment.
    var tenants: [UInt32] { (0..<header.tenants).map { tenantEntry($0).tenant } }

    /// The tenant of a row.
    func tenant(ofRow row: Int) -> UInt32 {
        var lo = 0
        var hi = header.tenants
        while lo < hi {
            let mid = (lo + hi) / 2
            let e = tenantEntry(mid)
            if e.rows.contains(row) { return e.tenant }
            if e.rows.lowerBound <= row { lo = mid + 1 } else { hi = mid }
        }
        return 0
    }

    /// Rows whose id hashes like `id` (callers confirm with the record).
    func candidateRows(forID id: String) -> [Int] {
        let h = idHash(id)
        var lo = 0
        var hi = header.rows
        while lo < hi {
            let mid = (lo + hi) / 2
            if u64(header.idIndexOffset + mid * SegmentFormat.idEntrySize) < h { lo = mid + 1 } else { hi = mid }
        }
        var out: [Int] = []
        var i = lo
        while i < header.rows, u64(header.idIndexOffset + i * SegmentFormat.idEntrySize) == h {
            let row = Int(clamping: u64(header.idIndexOffset + i * SegmentFormat.idEntrySize + 8))
            if row < header.rows { out.append(row) }
            i += 1
        }
        return out
    }

    /// The record stored at `row`, checked against its own checksum.
    func record(at row: Int) throws(StorageError) -> StoredRecord {
        var r = try checkedRecord(at: row)
        let record = try RecordCodec.decode(&r, extended: r.remaining > 0)
        guard r.remaining == 0 else { throw .corrupt(file.path, "record \(row) has \(r.remaining) trailing bytes") }
        return record
    }

    /// The id of the record at `row`, decoding nothing else. The whole record is still
    /// checked against its CRC-32C first (a few dozen nanoseconds for a typical record, next
    /// to tens of microseconds of scan), so a damaged record is reported exactly as by
    /// `record(at:)`, never half-read.
    func recordID(at row: Int) throws(StorageError) -> String {
        var r = try checkedRecord(at: row)
        return try RecordCodec.decodeID(&r)
    }

    /// The label and attribute of the record at `row` (``RecordCodec/keys(_:)``), decoding nothing
    /// else, after the whole record matched its checksum as in `record(at:)`. The attribute bytes
    /// point into the mapping: use them while this segment is alive.
    func keys(at row: Int) throws(StorageError) -> RecordKeys {
        var r = try checkedRecord(at: row)
        return try RecordCodec.keys(&r)
    }

    /// A reader over the encoding of the record at `row`, after its checksum matched.
    private func checkedRecord(at row: Int) throws(StorageError) -> ByteReader {
        let base = header.recordOffsetsOffset + row * 8
        let start = u64(base)
        let end = u64(base + 8)
        guard start <= end, end <= UInt64(header.recordsLength), end - start >= 4 else {
            throw .corrupt(file.path, "record \(row) has a bad offset")
        }
        let bytes = UnsafeRawBufferPointer(
            rebasing: file.bytes[(header.recordsOffset + Int(start))..<(header.recordsOffset + Int(end))])
        var r = ByteReader(bytes, path: file.path)
        let crc = try r.u32()
        guard Checksum.crc32c(UnsafeRawBufferPointer(rebasing: bytes[4...])) == crc else {
            throw .corrupt(file.path, "record \(row): checksum mismatch")
        }
        return r
    }

    /// Reads the first byte of the record at `row` (any byte in the file when its offset is
    /// damaged; `record(at:)` reports that), to start its cache and TLB misses early.
    func touchRecord(at row: Int) -> UInt8 {
        let start = Int(truncatingIfNeeded: u64(header.recordOffsetsOffset + row * 8))
        let offset = header.recordsOffset + min(max(start, 0), header.recordsLength)
        return offset < file.count ? file.bytes[offset] : 0
    }

    /// The stored vector of a row.
    func vector(at row: Int) -> [Float] {
        let base = vectorBase + row * header.dimension
        return Array(UnsafeBufferPointer(start: base, count: header.dimension))
    }

    var vectorBuffer: UnsafeBufferPointer<Float> {
        UnsafeBufferPointer(start: header.rows == 0 ? nil : vectorBase, count: header.rows * header.dimension)
    }

    /// The first row's vector inside the mapping (rows follow at `dimension` floats each).
    var vectorBase: UnsafePointer<Float> {
        (file.base! + header.vectorsOffset).assumingMemoryBound(to: Float.self)
    }

    /// The int8 scan copy's three arrays inside the mapping (format version 2), if any.
    var quantized: (codes: UnsafePointer<Int8>, scales: UnsafePointer<Float>, bounds: UnsafePointer<Float>)? {
        guard header.quantizedOffset > 0, header.rows > 0, let base = file.base else { return nil }
        let codes = base + header.quantizedOffset
        let scales = codes + header.rows * header.dimension
        return (
            codes.assumingMemoryBound(to: Int8.self), scales.assumingMemoryBound(to: Float.self),
            (scales + header.rows * 4).assumingMemoryBound(to: Float.self)
        )
    }

    /// The live row holding `id`, if any.
    func liveRow(forID id: String, deleted: Bitmap) -> Int? {
        for row in candidateRows(forID: id) where !deleted.contains(row) {
            if (try? recordID(at: row)) == id { return row }
        }
        return nil
    }

    /// The segment's graph, loaded on first use.
    func loadGraph() throws(StorageError) -> VectorIndex {
        try graph.withLock { (slot) throws(StorageError) -> VectorIndex in
            if let index = slot { return index }
            guard let name = entry.graph else {
                throw .corrupt(file.path, "segment has no graph file")
            }
            let graphPath = directory + "/" + name
            let index: VectorIndex
            do throws(EngineError) {
                index = try VectorIndex.load(from: graphPath)
            } catch {
                throw StorageError(code: error.code == .io ? .io : .corruptFile, message: "\(error)", path: graphPath)
            }
            guard index.info.nodeCount == header.rows, index.dimension == header.dimension else {
                throw StorageError.corrupt(graphPath, "graph does not match its segment")
            }
            slot = index
            return index
        }
    }

    /// Whether the graph is in memory.
    var graphLoaded: Bool { graph.withLock { $0 != nil } }

    /// Whether this segment carries an int8 scan copy exactly when `options` write one for a `metric`
    /// collection. (Graphs are not compared: `rebuild` adds them whatever the options say.)
    func hasScanCopyShape(of options: OpenOptions, metric: Metric) -> Bool {
        (header.quantizedOffset > 0) == (options.scanCopies && metric != .l2 && rows > 0)
    }

    // MARK: Verification

    /// Checks every checksum of the file (vectors, records, each record) and loads the graph.
    func verifyDeep() throws(StorageError) {
        let vectors = UnsafeRawBufferPointer(rebasing: file.bytes[header.vectorsOffset..<(header.vectorsOffset + header.vectorsLength)])
        guard Checksum.crc32c(vectors) == header.vectorsCRC else { throw .corrupt(file.path, "vectors checksum mismatch") }
        let records = UnsafeRawBufferPointer(rebasing: file.bytes[header.recordsOffset..<header.recordsEnd])
        guard Checksum.crc32c(records) == header.recordsCRC else { throw .corrupt(file.path, "records checksum mismatch") }
        if header.quantizedOffset > 0 {
            let copy = UnsafeRawBufferPointer(rebasing: file.bytes[header.quantizedOffset..<header.fileLength])
            guard Checksum.crc32c(copy) == header.quantizedCRC else { throw .corrupt(file.path, "int8 copy checksum mismatch") }
        }
        for row in 0..<header.rows { _ = try record(at: row) }
        var previous: UInt32?
        for i in 0..<header.tenants {
            let e = tenantEntry(i)
            if let previous, previous >= e.tenant { throw .corrupt(file.path, "tenant directory out of order at entry \(i)") }
            previous = e.tenant
        }
    }

    /// Bytes on disk of the segment file.
    var fileBytes: Int { file.count }

    /// Maps every page of the segment file now (``MappedFile/prefault()``).
    func prefault() { file.prefault() }
}
