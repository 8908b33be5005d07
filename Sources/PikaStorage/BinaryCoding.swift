/// Appends little-endian fields to a byte array (the encoding of every storage file).
struct ByteWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int64) { u64(UInt64(bitPattern: v)) }
    mutating func raw(_ v: [UInt8]) { bytes.append(contentsOf: v) }
    mutating func floats(_ v: some Collection<Float>) {
        for x in v { u32(x.bitPattern) }
    }
    /// A string as u32 length + UTF-8; nil is length 0xFFFF_FFFF.
    mutating func string(_ s: String?) {
        guard let s else { return u32(UInt32.max) }
        var copy = s
        copy.withUTF8 { utf8 in
            u32(UInt32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }
    /// Zero bytes up to a multiple of `alignment`.
    mutating func pad(to alignment: Int) {
        while bytes.count % alignment != 0 { bytes.append(0) }
    }
    /// Overwrites a u32 at `offset`.
    mutating func patch32(_ v: UInt32, at offset: Int) {
        withUnsafeBytes(of: v.littleEndian) { raw in
            for i in 0..<4 { bytes[offset + i] = raw[i] }
        }
    }
}

/// Reads little-endian fields from a byte range, bounds-checked: running off the end
/// throws `corruptFile` naming `path` and the offset, never traps.
struct ByteReader {
    let buffer: UnsafeRawBufferPointer
    let path: String
    var offset: Int

    init(_ buffer: UnsafeRawBufferPointer, path: String, offset: Int = 0) {
        self.buffer = buffer
        self.path = path
        self.offset = offset
    }

    var remaining: Int { buffer.count - offset }

    private mutating func take(_ n: Int, _ what: String) throws(StorageError) -> Int {
        guard n >= 0, n <= remaining else {
            throw .corrupt(path, "truncated \(what) at offset \(offset) (needs \(n) bytes, \(max(remaining, 0)) left)")
        }
        defer { offset += n }
        return offset
    }

    mutating func u8(_ what: String = "field") throws(StorageError) -> UInt8 {
        buffer[try take(1, what)]
    }
    mutating func u16(_ what: String = "field") throws(StorageError) -> UInt16 {
        UInt16(littleEndian: buffer.loadUnaligned(fromByteOffset: try take(2, what), as: UInt16.self))
    }
    mutating func u32(_ what: String = "field") throws(StorageError) -> UInt32 {
        UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: try take(4, what), as: UInt32.self))
    }
    mutating func u64(_ what: String = "field") throws(StorageError) -> UInt64 {
        UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: try take(8, what), as: UInt64.self))
    }
    mutating func i64(_ what: String = "field") throws(StorageError) -> Int64 { Int64(bitPattern: try u64(what)) }
    mutating func bytes(_ n: Int, _ what: String = "bytes") throws(StorageError) -> UnsafeRawBufferPointer {
        let start = try take(n, what)
        return UnsafeRawBufferPointer(rebasing: buffer[start..<start + n])
    }
    mutating func floats(_ n: Int, _ what: String = "vector") throws(StorageError) -> [Float] {
        let start = try take(n * 4, what)
        return (0..<n).map {
            Float(bitPattern: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: start + 4 * $0, as: UInt32.self)))
        }
    }
    mutating func string(_ what: String = "string") throws(StorageError) -> String? {
        let n = try u32(what)
        if n == UInt32.max { return nil }
        let raw = try bytes(Int(n), what).assumingMemoryBound(to: UInt8.self)
        // Ids and labels are mostly ASCII, which is valid UTF-8 as it is: `String(decoding:)` of
        // it is a plain copy, where `String(validating:)` took about three times as long for a
        // short id (82 against 28 ns, swiftc -O, Swift 6.3.1).
        var high: UInt8 = 0
        for byte in raw { high |= byte }
        if high < 0x80 { return String(decoding: raw, as: UTF8.self) }
        guard let s = String(validating: raw, as: UTF8.self) else {
            throw .corrupt(path, "\(what) at offset \(offset - Int(n)) is not valid UTF-8")
        }
        return s
    }
}

extension ByteReader {
    /// Steps over a u32-length string (or its absence marker) without reading its bytes.
    mutating func skipString(_ what: String = "string") throws(StorageError) {
        let n = try u32(what)
        if n != UInt32.max { _ = try bytes(Int(n), what) }
    }

    /// A u32-length string's bytes as they are (nil when absent), neither copied nor validated.
    mutating func rawString(_ what: String = "string") throws(StorageError) -> UnsafeRawBufferPointer? {
        let n = try u32(what)
        return n == UInt32.max ? nil : try bytes(Int(n), what)
    }
}

/// FNV-1a 64 of a string's UTF-8: the key of a segment's id index.
func idHash(_ id: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in id.utf8 {
        h ^= UInt64(b)
        h = h &* 0x100_0000_01b3
    }
    return h
}

extension Array {
    /// `withUnsafeBytes` for a body that throws `StorageError` (the standard one rethrows untyped).
    func withRawBytes<R>(_ body: (UnsafeRawBufferPointer) throws(StorageError) -> R) throws(StorageError) -> R {
        let result: Result<R, StorageError> = withUnsafeBytes { raw in
            do throws(StorageError) { return .success(try body(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// `withUnsafeBufferPointer` for a body that throws `StorageError`.
    func withBuffer<R>(_ body: (UnsafeBufferPointer<Element>) throws(StorageError) -> R) throws(StorageError) -> R {
        let result: Result<R, StorageError> = withUnsafeBufferPointer { buffer in
            do throws(StorageError) { return .success(try body(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}
