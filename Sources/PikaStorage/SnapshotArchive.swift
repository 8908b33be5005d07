#if canImport(Glibc)
    import Glibc
#endif

/// The snapshot archive format (`pika snapshot create --out FILE`).
///
/// Header (40 bytes): magic "PIKASNAP", u32 format version, u32 file count, u64 LSN (the
/// last write included), i64 creation time (ms since the epoch), u32 reserved, u32
/// CRC-32C of bytes 0..<36. Then per file: u32 name length, name (UTF-8, no "/"),
/// u64 size, u32 CRC-32C of the name length, name and size, then the file's bytes, then
/// u32 CRC-32C of those bytes. `MANIFEST` is the last file.
enum SnapshotArchive {
    static let magic: [UInt8] = Array("PIKASNAP".utf8)
    static let formatVersion: UInt32 = 1
    static let headerSize = 40

    struct Header {
        var files: Int
        var lsn: UInt64
        var createdAt: Int64
    }

    static func encodeHeader(_ h: Header) -> [UInt8] {
        var w = ByteWriter(capacity: headerSize)
        w.raw(magic)
        w.u32(formatVersion)
        w.u32(UInt32(h.files))
        w.u64(h.lsn)
        w.i64(h.createdAt)
        w.u32(0)
        w.u32(Checksum.crc32c(w.bytes))
        return w.bytes
    }

    static func parseHeader(_ bytes: UnsafeRawBufferPointer, path: String) throws(StorageError) -> Header {
        var r = ByteReader(bytes, path: path)
        guard try r.bytes(8, "magic").elementsEqual(magic) else { throw .corrupt(path, "not a Pika snapshot (bad magic)") }
        let version = try r.u32()
        let files = try r.u32()
        let lsn = try r.u64()
        let created = try r.i64()
        _ = try r.u32()
        let crc = try r.u32()
        guard crc == Checksum.crc32c(UnsafeRawBufferPointer(rebasing: bytes[0..<36])) else {
            throw .corrupt(path, "header checksum mismatch")
        }
        guard version >= 1, version <= formatVersion else {
            throw StorageError(
                code: .unsupportedVersion, message: "snapshot format version \(version) is newer than this build reads", path: path)
        }
        guard files <= 1_000_000 else { throw .corrupt(path, "file count \(files) out of range") }
        return Header(files: Int(files), lsn: lsn, createdAt: created)
    }

    static func entryHeader(name: String, size: Int) -> [UInt8] {
        var w = ByteWriter(capacity: 64)
        w.string(name)
        w.u64(UInt64(size))
        w.u32(Checksum.crc32c(w.bytes))
        return w.bytes
    }

    /// Reads one entry header at the reader's position: (name, size).
    static func parseEntry(_ r: inout ByteReader) throws(StorageError) -> (String, Int) {
        let start = r.offset
        guard let name = try r.string("file name"), !name.isEmpty, !name.contains("/"), !name.hasPrefix("."), name.utf8.count < 256 else {
            throw .corrupt(r.path, "bad file name at offset \(start)")
        }
        let size = try r.u64("file size")
        let crc = try r.u32("entry checksum")
        guard crc == Checksum.crc32c(UnsafeRawBufferPointer(rebasing: r.buffer[start..<(r.offset - 4)])) else {
            throw .corrupt(r.path, "entry header checksum mismatch at offset \(start)")
        }
        guard size <= UInt64(r.remaining) else { throw .corrupt(r.path, "truncated: \(name) needs \(size) bytes at offset \(r.offset)") }
        return (name, Int(size))
    }
}

/// A snapshot recorded in a data directory's `SNAPSHOTS` list.
public struct SnapshotInfo: Sendable, Hashable, Codable {
    /// Where the archive was written.
    public var path: String
    /// Creation time, ms since the epoch.
    public var createdAt: Int64
    /// The last write (log sequence number) it contains.
    public var lsn: UInt64
    /// Archive size in bytes.
    public var bytes: Int
    /// Files inside.
    public var files: Int
    /// Live records at the time.
    public var records: Int
}
