/// Little-endian Float32 rows stored as SQLite blobs.
enum EmbeddingBlob {
    static func encode(_ vector: [Float]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(vector.count * 4)
        for value in vector {
            let bits = value.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) -> [Float] {
        let count = bytes.count / 4
        var vector = [Float](repeating: 0, count: count)
        for index in 0..<count {
            let base = index * 4
            let bits =
                UInt32(bytes[base]) | UInt32(bytes[base + 1]) << 8 | UInt32(bytes[base + 2]) << 16
                | UInt32(bytes[base + 3]) << 24
            vector[index] = Float(bitPattern: bits)
        }
        return vector
    }
}
