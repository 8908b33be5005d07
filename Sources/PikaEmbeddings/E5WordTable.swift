import PikaEngine
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// multilingual-e5-small's word-embedding table as `Float` rows, dequantised from 4 bits a row at
/// a time, the first time a token needs it.
///
/// Why lazily: the vocabulary has 250,037 pieces, so the whole table in `Float` would be 384 MB,
/// while a deployment in one or two languages touches a few thousand rows. The rows live in an
/// anonymous, unreserved mapping of the full size; the kernel backs only the pages written.
///
/// `@unchecked Sendable` is safe: a row is written once, under `ready`'s lock, before its bit is
/// set; a reader calls ``prepare(_:)`` for its ids first, which returns only after taking that
/// lock, so every write of a row it reads happens before the read. Rows are never written again.
final class E5WordTable: @unchecked Sendable {
    /// `vocabulary × hidden` floats; only prepared rows hold values.
    let rows: UnsafeMutablePointer<Float>
    private let byteCount: Int
    private let hidden: Int
    private let vocabulary: Int
    private let quantised: UnsafeRawPointer
    private let file: MappedFile
    private let ready: Mutex<[UInt64]>

    /// Reserves the table for `model`'s word embeddings (kept 4-bit in its mapped file).
    init(model: E5ModelFile) throws(EmbeddingError) {
        hidden = model.configuration.hiddenSize
        vocabulary = model.configuration.vocabularySize
        quantised = try model.quantisedWords()
        file = model.file
        byteCount = vocabulary * hidden * MemoryLayout<Float>.stride
        guard
            let mapping = mmap(nil, byteCount, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
            mapping != MAP_FAILED
        else {
            throw EmbeddingError(.modelInvalid, "cannot reserve \(byteCount) bytes for the word table")
        }
        rows = mapping.bindMemory(to: Float.self, capacity: vocabulary * hidden)
        ready = Mutex([UInt64](repeating: 0, count: (vocabulary + 63) / 64))
    }

    deinit {
        munmap(UnsafeMutableRawPointer(rows), byteCount)
    }

    /// Dequantises the rows of `ids` that are not ready yet; ids must be below the vocabulary size.
    func prepare(_ ids: some Sequence<Int32>) {
        let blocksPerRow = hidden / E5ModelFile.block
        ready.withLock { bits in
            for id in ids {
                let i = Int(id)
                let mask: UInt64 = 1 << UInt64(i % 64)
                if bits[i / 64] & mask != 0 { continue }
                E5ModelFile.dequantise(
                    quantised + i * blocksPerRow * E5ModelFile.blockBytes, blocks: blocksPerRow, into: rows + i * hidden)
                bits[i / 64] |= mask
            }
        }
    }
}
