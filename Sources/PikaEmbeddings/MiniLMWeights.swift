/// The encoder's parameters, checked against a ``MiniLMConfiguration`` and kept in place in the
/// memory-mapped safetensors file (only the fused query/key/value matrices are copied).
///
/// `@unchecked Sendable` is safe: all pointers refer either to the read-only mapping owned by
/// `source` or to buffers this object allocates and fills in `init` and frees in `deinit`; after
/// `init` nothing writes to any of them, so concurrent readers never race.
final class MiniLMWeights: @unchecked Sendable {
    /// One transformer layer. Matrices are row-major `[out, in]`, as PyTorch's `Linear` stores them.
    struct Layer {
        /// Query, key and value weights stacked: `[3·hidden, hidden]`.
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

    private let source: SafeTensorsFile
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
                throw EmbeddingError(.modelInvalid, "\(path) has no tensor \(full) (config.json expects it with shape \(shape))")
            }
            guard info.dtype == "F32" else {
                throw EmbeddingError(.modelInvalid, "\(path): tensor \(full) is \(info.dtype), expected F32")
            }
            guard info.shape == shape else {
                throw EmbeddingError(.modelInvalid, "\(path): tensor \(full) has shape \(info.shape), config.json implies \(shape)")
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
                    (qkvWeight + part * h * h).update(from: w, count: h * h)
                    (qkvBias + part * h).update(from: b, count: h)
                }
                layers.append(
                    Layer(
                        qkvWeight: UnsafePointer(qkvWeight), qkvBias: UnsafePointer(qkvBias),
                        attentionOutWeight: try tensor(p + "attention.output.dense.weight", [h, h]),
                        attentionOutBias: try tensor(p + "attention.output.dense.bias", [h]),
                        attentionNormWeight: try tensor(p + "attention.output.LayerNorm.weight", [h]),
                        attentionNormBias: try tensor(p + "attention.output.LayerNorm.bias", [h]),
                        intermediateWeight: try tensor(p + "intermediate.dense.weight", [c.intermediateSize, h]),
                        intermediateBias: try tensor(p + "intermediate.dense.bias", [c.intermediateSize]),
                        outputWeight: try tensor(p + "output.dense.weight", [h, c.intermediateSize]),
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

    deinit {
        for buffer in owned { buffer.deallocate() }
    }
}
