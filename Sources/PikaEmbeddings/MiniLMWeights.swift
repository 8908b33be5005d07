import CBLAS

/// The encoder's parameters, checked against a ``MiniLMConfiguration``.
///
/// Embedding tables, biases and layer-norm parameters stay in place in the memory-mapped
/// safetensors file. The linear layers' matrices are copied once, transposed to `[in, out]`:
/// OpenBLAS multiplies a few token rows by an `[in, out]` matrix about 1.5× faster than by the
/// PyTorch `[out, in]` layout, whose packing step dominates when a query has only a dozen tokens.
///
/// `@unchecked Sendable` is safe: all pointers refer either to the read-only mapping owned by
/// `source` or to buffers this object allocates and fills in `init` and frees in `deinit`; after
/// `init` nothing writes to any of them, so concurrent readers never race.
final class MiniLMWeights: @unchecked Sendable {
    /// One transformer layer. Matrices are row-major `[in, out]` (transposed from PyTorch's `Linear`).
    struct Layer {
        /// Query, key and value weights side by side: `[hidden, 3·hidden]`.
        var qkvWeight: UnsafePointer<Float>
        /// Query, key and value biases stacked: `[3·hidden]`.
        var qkvBias: UnsafePointer<Float>
        var attentionOutWeight: UnsafePointer<Float>
        var attentionOutBias: UnsafePointer<Float>
        var attentionNormWeight: UnsafePointer<Float>
        var attentionNormBias: UnsafePointer<Float>
        var intermediateWeight: UnsafePointer<Float>
        var intermediateBias: UnsafePointer<Float>
        var outputWeight: UnsafePointer<Float>
        var outputBias: UnsafePointer<Float>
        var outputNormWeight: UnsafePointer<Float>
        var outputNormBias: UnsafePointer<Float>
    }

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
    init(contentsOf path: String, configuration c: MiniLMConfiguration) throws(EmbeddingError) {
        let file = try SafeTensorsFile(path: path)
        source = file
        configuration = c
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
        /// Writes the `[in, out]` transpose of an `[out, in]` matrix into `destination`, whose rows
        /// are `width` floats long, starting at `column` (OpenBLAS's out-of-place transpose).
        func transpose(
            _ source: UnsafePointer<Float>, out: Int, in: Int, into destination: UnsafeMutablePointer<Float>,
            column: Int = 0, width: Int? = nil
        ) {
            cblas_somatcopy(
                CblasRowMajor, CblasTrans, Int32(out), Int32(`in`), 1, source, Int32(`in`),
                destination + column, Int32(width ?? out))
        }
        func transposed(_ name: String, out: Int, in: Int) throws(EmbeddingError) -> UnsafePointer<Float> {
            let source = try tensor(name, [out, `in`])
            let copy = UnsafeMutablePointer<Float>.allocate(capacity: out * `in`)
            owned.append(copy)
            transpose(source, out: out, in: `in`, into: copy)
            return UnsafePointer(copy)
        }
        let h = c.hiddenSize
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
                let qkvWeight = UnsafeMutablePointer<Float>.allocate(capacity: 3 * h * h)
                let qkvBias = UnsafeMutablePointer<Float>.allocate(capacity: 3 * h)
                owned += [qkvWeight, qkvBias]
                for (part, name) in ["query", "key", "value"].enumerated() {
                    let w = try tensor(p + "attention.self.\(name).weight", [h, h])
                    let b = try tensor(p + "attention.self.\(name).bias", [h])
                    transpose(w, out: h, in: h, into: qkvWeight, column: part * h, width: 3 * h)
                    (qkvBias + part * h).update(from: b, count: h)
                }
                layers.append(
                    Layer(
                        qkvWeight: UnsafePointer(qkvWeight), qkvBias: UnsafePointer(qkvBias),
                        attentionOutWeight: try transposed(p + "attention.output.dense.weight", out: h, in: h),
                        attentionOutBias: try tensor(p + "attention.output.dense.bias", [h]),
                        attentionNormWeight: try tensor(p + "attention.output.LayerNorm.weight", [h]),
                        attentionNormBias: try tensor(p + "attention.output.LayerNorm.bias", [h]),
                        intermediateWeight: try transposed(
                            p + "intermediate.dense.weight", out: c.intermediateSize, in: h),
                        intermediateBias: try tensor(p + "intermediate.dense.bias", [c.intermediateSize]),
                        outputWeight: try transposed(p + "output.dense.weight", out: h, in: c.intermediateSize),
                        outputBias: try tensor(p + "output.dense.bias", [h]),
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
        configuration: MiniLMConfiguration, wordEmbeddings: UnsafePointer<Float>,
        positionEmbeddings: UnsafePointer<Float>, tokenTypeEmbeddings: UnsafePointer<Float>,
        embeddingNormWeight: UnsafePointer<Float>, embeddingNormBias: UnsafePointer<Float>, layers: [Layer],
        source: Any, owned: [UnsafeMutablePointer<Float>]
    ) {
        self.configuration = configuration
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
