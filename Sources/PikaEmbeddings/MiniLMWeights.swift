/// The encoder's parameters, checked against a ``MiniLMConfiguration``.
///
/// Embedding tables, biases and layer-norm parameters stay in place in the memory-mapped
/// safetensors file. The linear layers' matrices are packed once at load (``PackedLinear``) in
/// the layout the encoder's kernels stream: fp32 panels (~42 MB for all-MiniLM-L6-v2, all in one
/// ``WeightArena`` on huge pages), or int8
/// codes with per-channel scales (~11 MB) when the precision is int8. Query, key and value are
/// stacked into one `[3·hidden, hidden]` matrix so that one product computes all three.
///
/// `@unchecked Sendable` is safe: all pointers refer either to the read-only mapping owned by
/// `source` or to buffers this object (or its ``PackedLinear`` layers) fills in `init`; after
/// `init` nothing writes to any of them, so concurrent readers never race.
final class MiniLMWeights: @unchecked Sendable {
    /// One transformer layer.
    struct Layer {
        /// Query, key and value in one product: `hidden` → `3·hidden`.
        var qkv: PackedLinear
        var attentionOut: PackedLinear
        var attentionNormWeight: UnsafePointer<Float>
        var attentionNormBias: UnsafePointer<Float>
        var intermediate: PackedLinear
        var output: PackedLinear
        var outputNormWeight: UnsafePointer<Float>
        var outputNormBias: UnsafePointer<Float>
    }

    /// The arithmetic the linear layers were packed for.
    let precision: EmbeddingPrecision
    let configuration: MiniLMConfiguration
    let wordEmbeddings: UnsafePointer<Float>
    let positionEmbeddings: UnsafePointer<Float>
    let tokenTypeEmbeddings: UnsafePointer<Float>
    let embeddingNormWeight: UnsafePointer<Float>
    let embeddingNormBias: UnsafePointer<Float>
    let layers: [Layer]

    private let source: Any
    private var owned: [UnsafeMutablePointer<Float>] = []

    /// Maps `path` and checks every tensor's name, dtype and shape against `configuration`.
    init(
        contentsOf path: String, configuration c: MiniLMConfiguration, precision: EmbeddingPrecision = .fp32
    ) throws(EmbeddingError) {
        let file = try SafeTensorsFile(path: path)
        source = file
        configuration = c
        self.precision = precision
        // Some exports prefix every name with the architecture ("bert.embeddings…").
        let prefix = file.tensors["bert.embeddings.word_embeddings.weight"] != nil ? "bert." : ""
        var owned: [UnsafeMutablePointer<Float>] = []
        func tensor(_ name: String, _ shape: [Int]) throws(EmbeddingError) -> UnsafePointer<Float> {
            let full = prefix + name
            guard let info = file.tensors[full] else {
                throw EmbeddingError(
                    .modelInvalid, "\(path) has no tensor \(full) (config.json expects it with shape \(shape))")
            }
            guard info.dtype == "F32" else {
                throw EmbeddingError(.modelInvalid, "\(path): tensor \(full) is \(info.dtype), expected F32")
            }
            guard info.shape == shape else {
                throw EmbeddingError(
                    .modelInvalid, "\(path): tensor \(full) has shape \(info.shape), config.json implies \(shape)")
            }
            let raw = file.data(of: info)
            if Int(bitPattern: raw.baseAddress) % MemoryLayout<Float>.alignment == 0 {
                return raw.baseAddress!.assumingMemoryBound(to: Float.self)
            }
            let copy = UnsafeMutablePointer<Float>.allocate(capacity: raw.count / 4)
            UnsafeMutableRawPointer(copy).copyMemory(from: raw.baseAddress!, byteCount: raw.count)
            owned.append(copy)
            return UnsafePointer(copy)
        }
        let h = c.hiddenSize
        // fp32 panels of every layer in one block on huge pages (see WeightArena).
        let shapes = [(3 * h, h), (h, h), (c.intermediateSize, h), (h, c.intermediateSize)]
        let arena =
            precision == .fp32
            ? WeightArena(bytes: c.layers * shapes.reduce(0) { $0 + PackedLinear.arenaBytes(outputs: $1.0, inputs: $1.1) })
            : nil
        func linear(_ name: String, out: Int, in: Int) throws(EmbeddingError) -> PackedLinear {
            PackedLinear(
                weight: try tensor(name + ".weight", [out, `in`]), bias: try tensor(name + ".bias", [out]),
                outputs: out, inputs: `in`, precision: precision, arena: arena)
        }
        do throws(EmbeddingError) {
            wordEmbeddings = try tensor("embeddings.word_embeddings.weight", [c.vocabularySize, h])
            positionEmbeddings = try tensor("embeddings.position_embeddings.weight", [c.maxPositions, h])
            tokenTypeEmbeddings = try tensor("embeddings.token_type_embeddings.weight", [c.typeVocabularySize, h])
            embeddingNormWeight = try tensor("embeddings.LayerNorm.weight", [h])
            embeddingNormBias = try tensor("embeddings.LayerNorm.bias", [h])
            if file.tensors["\(prefix)encoder.layer.\(c.layers).attention.self.query.weight"] != nil {
                throw EmbeddingError(.modelInvalid, "\(path) has more than the \(c.layers) layers config.json declares")
            }
            var layers: [Layer] = []
            for i in 0..<c.layers {
                let p = "encoder.layer.\(i)."
                // Query, key and value rows stacked: one [3h, h] matrix, one packed product.
                let stacked = UnsafeMutablePointer<Float>.allocate(capacity: 3 * h * h)
                let stackedBias = UnsafeMutablePointer<Float>.allocate(capacity: 3 * h)
                defer {
                    stacked.deallocate()
                    stackedBias.deallocate()
                }
                for (part, name) in ["query", "key", "value"].enumerated() {
                    (stacked + part * h * h).update(from: try tensor(p + "attention.self.\(name).weight", [h, h]), count: h * h)
                    (stackedBias + part * h).update(from: try tensor(p + "attention.self.\(name).bias", [h]), count: h)
                }
                layers.append(
                    Layer(
                        qkv: PackedLinear(
                            weight: stacked, bias: stackedBias, outputs: 3 * h, inputs: h, precision: precision,
                            arena: arena),
                        attentionOut: try linear(p + "attention.output.dense", out: h, in: h),
                        attentionNormWeight: try tensor(p + "attention.output.LayerNorm.weight", [h]),
                        attentionNormBias: try tensor(p + "attention.output.LayerNorm.bias", [h]),
                        intermediate: try linear(p + "intermediate.dense", out: c.intermediateSize, in: h),
                        output: try linear(p + "output.dense", out: h, in: c.intermediateSize),
                        outputNormWeight: try tensor(p + "output.LayerNorm.weight", [h]),
                        outputNormBias: try tensor(p + "output.LayerNorm.bias", [h])))
            }
            self.layers = layers
        } catch {
            for buffer in owned { buffer.deallocate() }
            throw error
        }
        self.owned = owned
    }

    /// Weights another loader has already put in memory (``E5ModelFile`` dequantises its 4-bit
    /// file): `source` keeps what the pointers refer to alive; `owned` buffers are freed with this object.
    init(
        configuration: MiniLMConfiguration, precision: EmbeddingPrecision, wordEmbeddings: UnsafePointer<Float>,
        positionEmbeddings: UnsafePointer<Float>, tokenTypeEmbeddings: UnsafePointer<Float>,
        embeddingNormWeight: UnsafePointer<Float>, embeddingNormBias: UnsafePointer<Float>, layers: [Layer],
        source: Any, owned: [UnsafeMutablePointer<Float>]
    ) {
        self.configuration = configuration
        self.precision = precision
        self.wordEmbeddings = wordEmbeddings
        self.positionEmbeddings = positionEmbeddings
        self.tokenTypeEmbeddings = tokenTypeEmbeddings
        self.embeddingNormWeight = embeddingNormWeight
        self.embeddingNormBias = embeddingNormBias
        self.layers = layers
        self.source = source
        self.owned = owned
    }

    deinit {
        for buffer in owned { buffer.deallocate() }
    }
}
