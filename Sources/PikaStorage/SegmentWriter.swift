#if canImport(Glibc)
import Glibc
#endif
import PikaEngine

/// Writes a sealed segment file from records and their vectors.
enum SegmentWriter {
    /// The rows written, in file order.
    struct Written {
        /// `order[row]` is the input index stored at `row` (rows are sorted by tenant).
        var order: [Int]
        var header: SegmentFormat.Header
    }

    /// Writes `records` (with `vectors`, row-major, `records.count × dimension`) to `path`
    /// via a temporary file, fsync and rename. Rows are ordered by tenant, then by input
    /// order. For cosine, vectors are stored unit length.
    static func write(
        records: [MemoryRecord], vectors: UnsafeBufferPointer<Float>, dimension: Int, metric: Metric, to path: String
    ) throws(StorageError) -> Written {
        let n = records.count
        guard vectors.count == n * dimension else {
            throw StorageError(code: .invalidArgument, message: "\(vectors.count) floats for \(n) rows of \(dimension)", path: path)
        }
        let order = (0..<n).sorted { records[$0].tenant != records[$1].tenant ? records[$0].tenant < records[$1].tenant : $0 < $1 }
        let temporary = path + ".tmp"
        let fd = try POSIX.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
        var ok = false
        defer {
            close(fd)
            if !ok { POSIX.unlink(temporary) }
        }
        var offset = SegmentFormat.pageSize
        var header = SegmentFormat.Header(
            dimension: dimension, metric: metric, rows: n, tenants: 0, vectorsOffset: offset, tenantDirectoryOffset: 0,
            idIndexOffset: 0, recordOffsetsOffset: 0, recordsOffset: 0, recordsLength: 0, fileLength: 0, vectorsCRC: 0,
            metadataCRC: 0, recordsCRC: 0)

        // Vectors, in chunks.
        var crc: UInt32 = 0
        var chunk = [Float]()
        let chunkRows = max(1, (1 << 20) / max(dimension, 1))
        var row = 0
        while row < n {
            chunk.removeAll(keepingCapacity: true)
            for r in row..<min(row + chunkRows, n) {
                let source = vectors[(order[r] * dimension)..<(order[r] * dimension + dimension)]
                if metric == .cosine {
                    var norm: Float = 0
                    for x in source { norm += x * x }
                    let scale = norm > 0 ? 1 / norm.squareRoot() : 1
                    for x in source { chunk.append(x * scale) }
                } else {
                    chunk.append(contentsOf: source)
                }
            }
            try chunk.withRawBytes { (raw) throws(StorageError) in
                crc = Checksum.crc32c(raw, continuing: crc)
                try POSIX.pwriteAll(fd, raw, at: offset, path: temporary)
            }
            offset += chunk.count * 4
            row += chunkRows
        }
        header.vectorsCRC = crc

        // Metadata: tenant directory, id index, record offsets; then records.
        var meta = ByteWriter(capacity: n * 32 + 64)
        header.tenantDirectoryOffset = offset
        var start = 0
        while start < n {
            let tenant = records[order[start]].tenant
            var end = start
            while end < n && records[order[end]].tenant == tenant { end += 1 }
            meta.u32(tenant)
            meta.u32(0)
            meta.u64(UInt64(start))
            meta.u64(UInt64(end - start))
            header.tenants += 1
            start = end
        }
        header.idIndexOffset = offset + meta.bytes.count
        let ids = (0..<n).map { (idHash(records[order[$0]].id), $0) }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        for (hash, r) in ids {
            meta.u64(hash)
            meta.u64(UInt64(r))
        }
        header.recordOffsetsOffset = offset + meta.bytes.count
        var blob = ByteWriter(capacity: n * 64)
        var offsets: [UInt64] = []
        offsets.reserveCapacity(n + 1)
        for r in 0..<n {
            offsets.append(UInt64(blob.bytes.count))
            var one = ByteWriter(capacity: 64)
            RecordCodec.encode(records[order[r]], into: &one)
            blob.u32(Checksum.crc32c(one.bytes))
            blob.raw(one.bytes)
        }
        offsets.append(UInt64(blob.bytes.count))
        for o in offsets { meta.u64(o) }
        header.metadataCRC = Checksum.crc32c(meta.bytes)
        try meta.bytes.withRawBytes { (raw) throws(StorageError) in try POSIX.pwriteAll(fd, raw, at: offset, path: temporary) }
        offset += meta.bytes.count
        header.recordsOffset = offset
        header.recordsLength = blob.bytes.count
        header.recordsCRC = Checksum.crc32c(blob.bytes)
        try blob.bytes.withRawBytes { (raw) throws(StorageError) in try POSIX.pwriteAll(fd, raw, at: offset, path: temporary) }
        offset += blob.bytes.count
        header.fileLength = offset

        var head = SegmentFormat.encodeHeader(header)
        head.append(contentsOf: [UInt8](repeating: 0, count: SegmentFormat.pageSize - head.count))
        try head.withRawBytes { (raw) throws(StorageError) in try POSIX.pwriteAll(fd, raw, at: 0, path: temporary) }
        try POSIX.fsync(fd, path: temporary)
        try POSIX.rename(temporary, path)
        ok = true
        return Written(order: order, header: header)
    }
}
