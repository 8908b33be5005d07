import CHNSW

/// CRC-32C (Castagnoli) of every storage file section, computed by the engine
/// (`chnsw_crc32c`, SSE4.2 when available).
enum Checksum {
    static func crc32c(_ bytes: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        chnsw_crc32c(crc, bytes.baseAddress, bytes.count)
    }

    static func crc32c(_ bytes: [UInt8], continuing crc: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { crc32c($0, continuing: crc) }
    }

    static func crc32c(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.withUnsafeBytes { crc32c($0) }
    }
}
