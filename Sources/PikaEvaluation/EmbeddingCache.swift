import Foundation
import PikaEmbeddings

/// Corpus embeddings kept on disk, keyed by model and text, so repeated evaluations (vector,
/// hybrid, another fusion) embed a corpus once.
///
/// One file per embedder identity, `DIR/<name>-<dimension>.vec`: a sequence of records, each a
/// 128-bit key (two different 64-bit FNV-1a hashes of the text's UTF-8, little-endian) followed
/// by `dimension` little-endian Float32 values. Misses are embedded in chunks and appended after
/// each chunk, so an interrupted run keeps what it has done. A trailing partial record (a crash
/// mid-append) is ignored. Collisions of a 128-bit key are not a practical concern at corpus sizes.
public struct EmbeddingCache: Sendable {
    /// The cache directory.
    public let directory: String

    /// Creates a cache in `directory` (created on first write).
    public init(directory: String) { self.directory = directory }

    /// The cache file for `identity`.
    public func path(for identity: EmbedderIdentity) -> String {
        let safe = identity.name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" }
        return directory + "/" + String(safe) + "-\(identity.dimension).vec"
    }

    /// The embeddings of `texts`, in order: cached ones are read, the rest embedded and stored.
    ///
    /// - Parameters:
    ///   - texts: the texts to embed.
    ///   - embedder: the model (its identity selects the file).
    ///   - chunk: how many misses are embedded between two appends.
    ///   - progress: called with (done, total) after the cache is read and after each chunk.
    public func embeddings(
        of texts: [String], using embedder: some Embedder, chunk: Int = 64,
        progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws(EvaluationError) -> [[Float]] {
        let file = path(for: embedder.identity)
        let dimension = embedder.dimension
        let stored = try read(file: file, dimension: dimension)
        var result = [[Float]?](repeating: nil, count: texts.count)
        var missing: [Int] = []
        for (index, text) in texts.enumerated() {
            if let vector = stored[Self.key(text)] { result[index] = vector } else { missing.append(index) }
        }
        var done = texts.count - missing.count
        progress(done, texts.count)
        if !missing.isEmpty {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw EvaluationError(.cache, "cannot create the directory: \(error.localizedDescription)", file: directory)
            }
        }
        for start in stride(from: 0, to: missing.count, by: max(chunk, 1)) {
            let indices = Array(missing[start..<min(start + max(chunk, 1), missing.count)])
            let vectors: [[Float]]
            do {
                vectors = try await embedder.embed(indices.map { texts[$0] })
            } catch {
                throw EvaluationError(.embedding, "\(error)")
            }
            var record = Data()
            for (index, vector) in zip(indices, vectors) {
                guard vector.count == dimension else {
                    throw EvaluationError(.embedding, "the embedder returned \(vector.count) values, not \(dimension)")
                }
                result[index] = vector
                let key = Self.key(texts[index])
                withUnsafeBytes(of: key.lo.littleEndian) { record.append(contentsOf: $0) }
                withUnsafeBytes(of: key.hi.littleEndian) { record.append(contentsOf: $0) }
                for value in vector { withUnsafeBytes(of: value.bitPattern.littleEndian) { record.append(contentsOf: $0) } }
            }
            try append(record, to: file)
            done += indices.count
            progress(done, texts.count)
        }
        return result.map { $0 ?? [] }
    }

    /// Two independent 64-bit FNV-1a hashes of the UTF-8 bytes (different offset bases).
    static func key(_ text: String) -> Key {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in text.utf8 {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = ((b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3) ^ 0x9e37_79b9_7f4a_7c15
        }
        return Key(a, b ^ UInt64(text.utf8.count))
    }

    /// A 128-bit cache key.
    struct Key: Hashable {
        let lo: UInt64
        let hi: UInt64
        init(_ lo: UInt64, _ hi: UInt64) {
            self.lo = lo
            self.hi = hi
        }
    }

    private func read(file: String, dimension: Int) throws(EvaluationError) -> [Key: [Float]] {
        guard let data = FileManager.default.contents(atPath: file) else { return [:] }
        let recordSize = 16 + 4 * dimension
        var result: [Key: [Float]] = [:]
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset + recordSize <= raw.count {
                let lo = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                let hi = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
                var vector = [Float](repeating: 0, count: dimension)
                for i in 0..<dimension {
                    let bits = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 16 + 4 * i, as: UInt32.self))
                    vector[i] = Float(bitPattern: bits)
                }
                result[Key(lo, hi)] = vector
                offset += recordSize
            }
        }
        return result
    }

    private func append(_ record: Data, to file: String) throws(EvaluationError) {
        if !FileManager.default.fileExists(atPath: file) {
            guard FileManager.default.createFile(atPath: file, contents: nil) else {
                throw EvaluationError(.cache, "cannot create the file", file: file)
            }
        }
        do {
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: record)
        } catch {
            throw EvaluationError(.cache, "cannot append: \(error.localizedDescription)", file: file)
        }
    }
}
