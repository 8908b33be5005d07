import CHNSW
import PikaEngine

#if canImport(Glibc)
    import Glibc
#endif

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
    /// order. For cosine, vectors are stored unit length. `scanCopy` adds the int8 copy that
    /// inner-product and cosine block scans read (L2 scans read f32, so L2 segments never get one).
    static func write(
        records: [StoredRecord], vectors: UnsafeBufferPointer<Float>, dimension: Int, metric: Metric, scanCopy: Bool = true,
        to path: String
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
        var header = SegmentFormat.Header(
            dimension: dimension, metric: metric, rows: n, tenants: 0, vectorsOffset: SegmentFormat.pageSize,
            tenantDirectoryOffset: 0, idIndexOffset: 0, recordOffsetsOffset: 0, recordsOffset: 0, recordsLength: 0, fileLength: 0,
            vectorsCRC: 0, metadataCRC: 0, recordsCRC: 0)

        // Metadata (tenant directory, id index, record offsets) and records first, in memory,
        // so every section's offset is known before the vectors stream out.
        var meta = ByteWriter(capacity: n * 32 + 64)
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
        let tenantDirectoryBytes = meta.bytes.count
        let ids = (0..<n).map { (idHash(records[order[$0]].id), $0) }.sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        for (hash, r) in ids {
            meta.u64(hash)
            meta.u64(UInt64(r))
        }
        let idIndexBytes = meta.bytes.count - tenantDirectoryBytes
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
        header.recordsCRC = Checksum.crc32c(blob.bytes)
        header.tenantDirectoryOffset = header.vectorsOffset + header.vectorsLength
        header.idIndexOffset = header.tenantDirectoryOffset + tenantDirectoryBytes
        header.recordOffsetsOffset = header.idIndexOffset + idIndexBytes
        header.recordsOffset = header.tenantDirectoryOffset + meta.bytes.count
        header.recordsLength = blob.bytes.count
        let alignment = SegmentFormat.quantizedAlignment
        // The int8 copy serves inner-product and cosine scans (chnsw_scan_block_q8); L2 scans read f32.
        let quantized = scanCopy && n > 0 && metric != .l2
        header.quantizedOffset = quantized ? (header.recordsEnd + alignment - 1) / alignment * alignment : 0
        header.fileLength = quantized ? header.quantizedOffset + header.quantizedLength : header.recordsEnd
        try meta.bytes.withRawBytes { (raw) throws(StorageError) in
            try POSIX.pwriteAll(fd, raw, at: header.tenantDirectoryOffset, path: temporary)
        }
        try blob.bytes.withRawBytes { (raw) throws(StorageError) in try POSIX.pwriteAll(fd, raw, at: header.recordsOffset, path: temporary)
        }
        if header.quantizedOffset > header.recordsEnd {
            let padding = [UInt8](repeating: 0, count: header.quantizedOffset - header.recordsEnd)
            try padding.withRawBytes { (raw) throws(StorageError) in try POSIX.pwriteAll(fd, raw, at: header.recordsEnd, path: temporary) }
        }

        // Vectors and their int8 scan copy, in chunks.
        var vectorsCRC: UInt32 = 0
        var codesCRC: UInt32 = 0
        var chunk = [Float]()
        var codes = [Int8]()
        var scales = [Float](repeating: 0, count: n)
        var bounds = [Float](repeating: 0, count: n)
        let chunkRows = max(1, (1 << 20) / max(dimension, 1))
        var row = 0
        while row < n {
            chunk.removeAll(keepingCapacity: true)
            let rows = min(chunkRows, n - row)
            for r in row..<(row + rows) {
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
                vectorsCRC = Checksum.crc32c(raw, continuing: vectorsCRC)
                try POSIX.pwriteAll(fd, raw, at: header.vectorsOffset + row * dimension * 4, path: temporary)
            }
            if quantized {
                codes = [Int8](repeating: 0, count: rows * dimension)
                let status = chunk.withUnsafeBufferPointer { block in
                    codes.withUnsafeMutableBufferPointer { c in
                        scales.withUnsafeMutableBufferPointer { s in
                            bounds.withUnsafeMutableBufferPointer { b in
                                chnsw_quantize_block(
                                    block.baseAddress, rows, UInt32(dimension), dimension, c.baseAddress, s.baseAddress! + row,
                                    b.baseAddress! + row)
                            }
                        }
                    }
                }
                guard status == CHNSW_OK else {
                    throw StorageError(code: .invalidVector, message: String(cString: chnsw_status_message(status)), path: temporary)
                }
                try codes.withRawBytes { (raw) throws(StorageError) in
                    codesCRC = Checksum.crc32c(raw, continuing: codesCRC)
                    try POSIX.pwriteAll(fd, raw, at: header.quantizedOffset + row * dimension, path: temporary)
                }
            }
            row += rows
        }
        header.vectorsCRC = vectorsCRC
        if quantized {
            let scalesAt = header.quantizedOffset + n * dimension
            for (array, at) in [(scales, scalesAt), (bounds, scalesAt + n * 4)] {
                try array.withRawBytes { (raw) throws(StorageError) in
                    codesCRC = Checksum.crc32c(raw, continuing: codesCRC)
                    try POSIX.pwriteAll(fd, raw, at: at, path: temporary)
                }
            }
            header.quantizedCRC = codesCRC
        }

        var head = SegmentFormat.encodeHeader(header)
        head.append(contentsOf: [UInt8](repeating: 0, count: SegmentFormat.pageSize - head.count))
        try head.withRawBytes { (raw) throws(StorageError) in try POSIX.pwriteAll(fd, raw, at: 0, path: temporary) }
        try POSIX.fsync(fd, path: temporary)
        try POSIX.rename(temporary, path)
        ok = true
        return Written(order: order, header: header)
    }
}
