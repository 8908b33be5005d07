/// The deleted rows of one sealed segment (`seg-NNNNNN-dN.del`).
///
/// Layout: magic "PIKADEL\0", u32 format version, u32 reserved, u64 segment id, u64 row
/// count n, u32 CRC-32C of the rows, u32 CRC-32C of bytes 0..<36; then n ascending u64 rows.
/// Written once under a temporary name and renamed; the manifest names the current one.
enum TombstoneFile {
    static let magic: [UInt8] = Array("PIKADEL\0".utf8)
    static let formatVersion: UInt32 = 1
    static let headerSize = 40

    static func encode(segment: UInt64, rows: Bitmap) -> [UInt8] {
        var body = ByteWriter(capacity: rows.count * 8)
        for r in rows.members { body.u64(UInt64(r)) }
        var w = ByteWriter(capacity: headerSize + body.bytes.count)
        w.raw(magic)
        w.u32(formatVersion)
        w.u32(0)
        w.u64(segment)
        w.u64(UInt64(rows.count))
        w.u32(Checksum.crc32c(body.bytes))
        w.u32(Checksum.crc32c(w.bytes))
        w.raw(body.bytes)
        return w.bytes
    }

    static func decode(_ bytes: UnsafeRawBufferPointer, path: String, segment: UInt64, rowLimit: Int) throws(StorageError) -> Bitmap {
        var r = ByteReader(bytes, path: path)
        guard try r.bytes(8, "magic").elementsEqual(magic) else { throw .corrupt(path, "not a Pika tombstone file (bad magic)") }
        let version = try r.u32()
        _ = try r.u32()
        let owner = try r.u64()
        let count = try r.u64()
        let bodyCRC = try r.u32()
        let headerCRC = try r.u32()
        guard headerCRC == Checksum.crc32c(UnsafeRawBufferPointer(rebasing: bytes[0..<36])) else {
            throw .corrupt(path, "header checksum mismatch")
        }
        guard version >= 1, version <= formatVersion else {
            throw StorageError(
                code: .unsupportedVersion, message: "tombstone format version \(version) is newer than this build reads", path: path)
        }
        guard owner == segment else { throw .corrupt(path, "belongs to segment \(owner), not \(segment)") }
        guard count <= UInt64(rowLimit), Int(count) * 8 == r.remaining else {
            throw .corrupt(path, "row count \(count) does not match the file size")
        }
        guard Checksum.crc32c(UnsafeRawBufferPointer(rebasing: bytes[headerSize...])) == bodyCRC else {
            throw .corrupt(path, "rows checksum mismatch")
        }
        var bitmap = Bitmap()
        var previous: Int = -1
        for _ in 0..<count {
            let row = try r.u64()
            guard row < UInt64(rowLimit), Int(row) > previous else { throw .corrupt(path, "row \(row) out of range or order") }
            previous = Int(row)
            bitmap.insert(Int(row))
        }
        return bitmap
    }

    static func read(directory: String, name: String, segment: UInt64, rowLimit: Int) throws(StorageError) -> Bitmap {
        let path = directory + "/" + name
        let bytes = try POSIX.readAll(path)
        return try bytes.withRawBytes { (raw) throws(StorageError) in try decode(raw, path: path, segment: segment, rowLimit: rowLimit) }
    }
}
