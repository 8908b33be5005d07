import PikaEngine

/// The sealed segment file format (`seg-NNNNNN.pseg`), little-endian throughout.
///
/// Header, 128 bytes at offset 0 (the rest of the first 4096-byte page is zero):
///
/// | offset | size | field |
/// | --- | --- | --- |
/// | 0 | 8 | magic "PIKASEG\0" |
/// | 8 | 4 | format version (2; version 1 is read too) |
/// | 12 | 4 | dimension |
/// | 16 | 4 | metric (0 l2, 1 ip, 2 cos) |
/// | 20 | 4 | reserved (0) |
/// | 24 | 8 | row count |
/// | 32 | 8 | tenant count |
/// | 40 | 8 | vectors offset (multiple of 4096) |
/// | 48 | 8 | tenant directory offset |
/// | 56 | 8 | id index offset |
/// | 64 | 8 | record offsets offset |
/// | 72 | 8 | records offset |
/// | 80 | 8 | records length |
/// | 88 | 8 | file length |
/// | 96 | 4 | CRC-32C of the vectors section |
/// | 100 | 4 | CRC-32C of the metadata (tenant directory + id index + record offsets) |
/// | 104 | 4 | CRC-32C of the records section |
/// | 108 | 8 | int8 scan copy offset (version 2: multiple of 64, 0 = none; version 1: 0) |
/// | 116 | 4 | CRC-32C of the int8 scan copy |
/// | 120 | 4 | reserved (0) |
/// | 124 | 4 | CRC-32C of bytes 0..<124 |
///
/// Sections: vectors (rows × dimension f32, rows ordered by tenant, so each tenant is one
/// contiguous block; unit length for cosine); tenant directory (per tenant, ascending:
/// u32 tenant, u32 reserved, u64 first row, u64 row count); id index (per row, ascending
/// by hash then row: u64 FNV-1a-64 of the id, u64 row); record offsets ((rows + 1) × u64,
/// relative to the records section); records (per row: u32 CRC-32C of the encoding, then
/// the `RecordCodec` encoding); in version 2, after zero padding to a multiple of 64, the
/// int8 scan copy (`chnsw_quantize_block` of the vectors section, row for row: rows ×
/// dimension i8 codes, then rows f32 scales, then rows f32 error bounds), which exact
/// tenant scans read instead of the f32 rows (a quarter of the bytes; the few candidates
/// are rescored from the f32 rows). Opening checks the header and the metadata checksum
/// only; `verify` also checks the vectors, records and int8 checksums.
enum SegmentFormat {
    static let magic: [UInt8] = Array("PIKASEG\0".utf8)
    static let formatVersion: UInt32 = 2
    static let quantizedAlignment = 64
    static let headerSize = 128
    static let pageSize = 4096
    static let tenantEntrySize = 24
    static let idEntrySize = 16

    struct Header: Equatable {
        var dimension: Int
        var metric: Metric
        var rows: Int
        var tenants: Int
        var vectorsOffset: Int
        var tenantDirectoryOffset: Int
        var idIndexOffset: Int
        var recordOffsetsOffset: Int
        var recordsOffset: Int
        var recordsLength: Int
        var fileLength: Int
        var vectorsCRC: UInt32
        var metadataCRC: UInt32
        var recordsCRC: UInt32
        /// Offset of the int8 scan copy; 0 when the file has none (version 1).
        var quantizedOffset: Int = 0
        var quantizedCRC: UInt32 = 0

        var vectorsLength: Int { rows * dimension * 4 }
        /// Codes, scales and bounds.
        var quantizedLength: Int { quantizedOffset == 0 ? 0 : rows * (dimension + 8) }
        var recordsEnd: Int { recordsOffset + recordsLength }
        var metadataLength: Int { recordsOffset - tenantDirectoryOffset }
    }

    static func metricCode(_ m: Metric) -> UInt32 {
        switch m {
        case .l2: 0
        case .innerProduct: 1
        case .cosine: 2
        }
    }

    /// The header's bytes; `version` other than the current one is for tests of old files.
    static func encodeHeader(_ h: Header, version: UInt32 = formatVersion) -> [UInt8] {
        var w = ByteWriter(capacity: headerSize)
        w.raw(magic)
        w.u32(version)
        w.u32(UInt32(h.dimension))
        w.u32(metricCode(h.metric))
        w.u32(0)
        for v in [
            h.rows, h.tenants, h.vectorsOffset, h.tenantDirectoryOffset, h.idIndexOffset, h.recordOffsetsOffset,
            h.recordsOffset, h.recordsLength, h.fileLength,
        ] {
            w.u64(UInt64(v))
        }
        w.u32(h.vectorsCRC)
        w.u32(h.metadataCRC)
        w.u32(h.recordsCRC)
        w.u64(UInt64(h.quantizedOffset))
        w.u32(h.quantizedCRC)
        w.u32(0)
        w.u32(Checksum.crc32c(w.bytes))
        return w.bytes
    }

    /// Parses and cross-checks the header against the file's size: every section must lie
    /// inside the file, in order, with the sizes its counts imply.
    static func parseHeader(_ bytes: UnsafeRawBufferPointer, path: String) throws(StorageError) -> Header {
        guard bytes.count >= headerSize else { throw .corrupt(path, "truncated: \(bytes.count) bytes, shorter than the header") }
        var r = ByteReader(bytes, path: path)
        guard try r.bytes(8, "magic").elementsEqual(magic) else { throw .corrupt(path, "not a Pika segment (bad magic)") }
        let version = try r.u32()
        let dimension = Int(try r.u32())
        let metricRaw = try r.u32()
        _ = try r.u32()
        var fields: [Int] = []
        for _ in 0..<9 {
            let v = try r.u64()
            guard v <= UInt64(Int.max / 8) else { throw .corrupt(path, "header field at offset \(r.offset - 8) out of range") }
            fields.append(Int(v))
        }
        let vcrc = try r.u32()
        let mcrc = try r.u32()
        let rcrc = try r.u32()
        let quantizedOffset = try r.u64()
        let qcrc = try r.u32()
        _ = try r.u32()
        guard quantizedOffset <= UInt64(Int.max / 8) else { throw .corrupt(path, "int8 copy offset out of range") }
        let hcrc = try r.u32()
        guard hcrc == Checksum.crc32c(UnsafeRawBufferPointer(rebasing: bytes[0..<124])) else {
            throw .corrupt(path, "header checksum mismatch")
        }
        guard version >= 1 else { throw .corrupt(path, "format version 0") }
        guard version <= formatVersion else {
            throw StorageError(
                code: .unsupportedVersion, message: "segment format version \(version) is newer than this build reads (\(formatVersion))",
                path: path)
        }
        let metric: Metric
        switch metricRaw {
        case 0: metric = .l2
        case 1: metric = .innerProduct
        case 2: metric = .cosine
        default: throw .corrupt(path, "unknown metric \(metricRaw)")
        }
        let h = Header(
            dimension: dimension, metric: metric, rows: fields[0], tenants: fields[1], vectorsOffset: fields[2],
            tenantDirectoryOffset: fields[3], idIndexOffset: fields[4], recordOffsetsOffset: fields[5],
            recordsOffset: fields[6], recordsLength: fields[7], fileLength: fields[8], vectorsCRC: vcrc, metadataCRC: mcrc,
            recordsCRC: rcrc, quantizedOffset: Int(quantizedOffset), quantizedCRC: qcrc)
        guard (1...65_536).contains(dimension) else { throw .corrupt(path, "dimension \(dimension) out of range") }
        guard h.fileLength == bytes.count else {
            throw .corrupt(path, "truncated or extended: header says \(h.fileLength) bytes, file has \(bytes.count)")
        }
        // Rows no more than the file's bytes keeps the size products below from overflowing.
        guard h.rows <= h.fileLength else { throw .corrupt(path, "row count \(h.rows) impossible for \(h.fileLength) bytes") }
        guard h.tenants <= h.rows, (h.rows == 0) == (h.tenants == 0) else {
            throw .corrupt(path, "tenant count \(h.tenants) impossible for \(h.rows) rows")
        }
        guard h.vectorsOffset >= headerSize, h.vectorsOffset % pageSize == 0,
            h.tenantDirectoryOffset == h.vectorsOffset + h.vectorsLength,
            h.idIndexOffset == h.tenantDirectoryOffset + h.tenants * tenantEntrySize,
            h.recordOffsetsOffset == h.idIndexOffset + h.rows * idEntrySize,
            h.recordsOffset == h.recordOffsetsOffset + (h.rows + 1) * 8
        else { throw .corrupt(path, "section offsets are inconsistent with the counts") }
        if h.quantizedOffset == 0 {
            guard h.recordsEnd == h.fileLength else { throw .corrupt(path, "section offsets are inconsistent with the counts") }
        } else {
            guard version >= 2, h.quantizedOffset % quantizedAlignment == 0, h.quantizedOffset >= h.recordsEnd,
                h.quantizedOffset - h.recordsEnd < quantizedAlignment, h.quantizedOffset + h.quantizedLength == h.fileLength
            else { throw .corrupt(path, "int8 copy offset is inconsistent with the counts") }
        }
        return h
    }
}
