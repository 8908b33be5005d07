/// One logical change, as logged in the write-ahead log.
enum WALEntry: Sendable, Equatable {
    /// Insert or replace the record with `record.id`; `note` is the caller's, logged with it.
    case upsert(StoredRecord, vector: [Float], note: String? = nil)
    /// Delete the record with this id; `note` is the caller's, logged with it.
    case delete(id: String, note: String? = nil)

    /// What the writer attached to the change (the memory service: its history event), if anything.
    var note: String? {
        switch self {
        case .upsert(_, _, let note), .delete(_, let note): note
        }
    }
}

/// The write-ahead log format.
///
/// File header (32 bytes): magic "PIKAWAL\0", u32 format version, u32 dimension,
/// u64 first LSN of the file, u32 reserved, u32 CRC-32C of bytes 0..<28.
/// Then records, back to back: u32 body length, u32 CRC-32C of the body, body =
/// u64 LSN, u8 kind, then for an upsert (kind 3) the record encoding with its extension
/// (`RecordCodec`), `dimension` f32 and the note as a string, for a delete (kind 4) the id
/// and the note, strings as u32 length + UTF-8 (0xFFFFFFFF = absent). Version 1 logs hold
/// kinds 1 (upsert: base record encoding and the vector) and 2 (delete: the id), still read.
enum WALFormat {
    static let magic: [UInt8] = Array("PIKAWAL\0".utf8)
    static let formatVersion: UInt32 = 2
    static let headerSize = 32
    static let recordHeaderSize = 8
    /// No record is larger than this; a bigger length field is damage.
    static let maxBodySize = 64 << 20

    static func header(dimension: Int, firstLSN: UInt64) -> [UInt8] {
        var w = ByteWriter(capacity: headerSize)
        w.raw(magic)
        w.u32(formatVersion)
        w.u32(UInt32(dimension))
        w.u64(firstLSN)
        w.u32(0)
        w.u32(Checksum.crc32c(w.bytes))
        return w.bytes
    }

    /// Parses the header; returns (dimension, first LSN).
    static func parseHeader(_ bytes: UnsafeRawBufferPointer, path: String) throws(StorageError) -> (dimension: Int, firstLSN: UInt64) {
        var r = ByteReader(bytes, path: path)
        guard try r.bytes(8, "magic").elementsEqual(magic) else { throw .corrupt(path, "not a Pika write-ahead log (bad magic)") }
        let version = try r.u32("format version")
        let dimension = try r.u32("dimension")
        let first = try r.u64("first LSN")
        _ = try r.u32("reserved")
        let crc = try r.u32("header checksum")
        guard crc == Checksum.crc32c(UnsafeRawBufferPointer(rebasing: bytes[0..<28])) else {
            throw .corrupt(path, "header checksum mismatch")
        }
        guard version >= 1, version <= formatVersion else {
            throw StorageError(
                code: .unsupportedVersion, message: "WAL format version \(version) is newer than this build reads", path: path)
        }
        return (Int(dimension), first)
    }

    static func encode(lsn: UInt64, _ entry: WALEntry) -> [UInt8] {
        var body = ByteWriter(capacity: 256)
        body.u64(lsn)
        switch entry {
        case .upsert(let record, let vector, let note):
            body.u8(3)
            RecordCodec.encode(record, into: &body)
            body.floats(vector)
            body.string(note)
        case .delete(let id, let note):
            body.u8(4)
            body.string(id)
            body.string(note)
        }
        var w = ByteWriter(capacity: body.bytes.count + recordHeaderSize)
        w.u32(UInt32(body.bytes.count))
        w.u32(Checksum.crc32c(body.bytes))
        w.raw(body.bytes)
        return w.bytes
    }

    /// Decodes a record body whose checksum already matched.
    static func decodeBody(
        _ body: UnsafeRawBufferPointer, dimension: Int, path: String, offset: Int
    ) throws(StorageError) -> (UInt64, WALEntry) {
        var r = ByteReader(body, path: path)
        let lsn = try r.u64("LSN")
        let kind = try r.u8("kind")
        let entry: WALEntry
        switch kind {
        case 1, 3:
            let record = try RecordCodec.decode(&r, extended: kind == 3)
            let vector = try r.floats(dimension)
            entry = .upsert(record, vector: vector, note: kind == 3 ? try r.string("note") : nil)
        case 2, 4:
            guard let id = try r.string("id") else { throw .corrupt(path, "delete record without an id at offset \(offset)") }
            entry = .delete(id: id, note: kind == 4 ? try r.string("note") : nil)
        default:
            throw .corrupt(path, "unknown record kind \(kind) at offset \(offset)")
        }
        guard r.remaining == 0 else { throw .corrupt(path, "record at offset \(offset) has \(r.remaining) trailing bytes") }
        return (lsn, entry)
    }

    static func isZero(_ bytes: UnsafeRawBufferPointer, from offset: Int) -> Bool {
        for i in offset..<bytes.count where bytes[i] != 0 { return false }
        return true
    }

    /// What reading a whole log found.
    struct Scan {
        var dimension: Int
        var firstLSN: UInt64
        var entries: [(lsn: UInt64, entry: WALEntry)] = []
        /// Bytes of valid records (header included): where the next record goes.
        var validSize: Int
        /// Set when the log ends in a torn record (a crash mid-append): bytes after validSize.
        var tornBytes = 0
        /// Set when a complete record in the middle of the log is damaged.
        var damage: StorageError?
    }

    /// Reads every record. A record that runs past the end of the file, or whose
    /// checksum fails and which is the last thing in the file, is a torn tail (a crash
    /// while appending); anything else that fails is damage, reported with its offset.
    static func scan(_ bytes: UnsafeRawBufferPointer, path: String) throws(StorageError) -> Scan {
        let (dimension, first) = try parseHeader(bytes, path: path)
        var scan = Scan(dimension: dimension, firstLSN: first, validSize: headerSize)
        var offset = headerSize
        var lastLSN = first == 0 ? 0 : first - 1
        while offset < bytes.count {
            let left = bytes.count - offset
            if left < recordHeaderSize {
                scan.tornBytes = left
                break
            }
            var r = ByteReader(bytes, path: path, offset: offset)
            let length = Int(try r.u32())
            let crc = try r.u32()
            // Runs past the end of the file, or the rest is zeros (a pre-extended block): torn tail.
            if length > left - recordHeaderSize || isZero(bytes, from: offset) {
                scan.tornBytes = left
                break
            }
            if length > maxBodySize || length < 9 {
                scan.damage = .corrupt(path, "record at offset \(offset) has an impossible length \(length)")
                break
            }
            let body = UnsafeRawBufferPointer(rebasing: bytes[(offset + recordHeaderSize)..<(offset + recordHeaderSize + length)])
            let end = offset + recordHeaderSize + length
            guard Checksum.crc32c(body) == crc else {
                if end == bytes.count {
                    scan.tornBytes = left
                } else {
                    scan.damage = .corrupt(path, "record at offset \(offset): checksum mismatch")
                }
                break
            }
            let decoded: (UInt64, WALEntry)
            do throws(StorageError) {
                decoded = try decodeBody(body, dimension: dimension, path: path, offset: offset)
            } catch {
                scan.damage = error
                break
            }
            guard decoded.0 > lastLSN else {
                scan.damage = .corrupt(path, "record at offset \(offset): LSN \(decoded.0) does not follow \(lastLSN)")
                break
            }
            lastLSN = decoded.0
            scan.entries.append((decoded.0, decoded.1))
            offset = end
            scan.validSize = end
        }
        return scan
    }
}
