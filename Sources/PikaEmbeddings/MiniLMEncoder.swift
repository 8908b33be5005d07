#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The BERT forward pass: embeddings, `layers` × (self-attention, feed-forward), mean pooling and
/// L2 normalisation, shaped entirely by the model's ``MiniLMConfiguration`` (hidden size, layer
/// count, heads, feed-forward width), so other BERT encoders of the same family run unchanged.
///
/// A batch is packed without padding: the token rows of all sequences are stacked into one
/// `[tokens, hidden]` matrix, so every linear layer is a single product over the whole batch and
/// no work is spent on pad tokens; attention alone runs per sequence (all heads in one call).
/// Products, attention, layer norm and GELU use the kernels of `chnsw_embed.h` (products fp32 or
/// int8, per ``MiniLMWeights/precision``), not OpenBLAS: with a dozen rows, sgemm's per-call packing of the
/// weights dominated, and OpenBLAS's worker threads spun beside the service. Scratch buffers
/// come from a pool (``EncoderWorkspacePool``), so a query allocates only its result. A pass of
/// at most ``EncoderTeam/maxRows`` rows splits its products with the ``team``, when there is one
/// and no other pass of this encoder is in flight.
struct MiniLMEncoder: Sendable {
    let weights: MiniLMWeights
    let pool = EncoderWorkspacePool()
    /// The second thread for short passes; nil when splitting is off or there is no second CPU.
    let team: EncoderTeam?

    init(weights: MiniLMWeights, splitting: QuerySplitting) {
        self.weights = weights
        team = EncoderTeam.make(splitting)
    }

    /// Sentence embeddings for `sequences` (token ids, each within the position table).
    func encode(_ sequences: [[Int32]]) -> [[Float]] {
        let c = weights.configuration
        let h = c.hiddenSize
        let tokens = sequences.reduce(0) { $0 + $1.count }
        guard tokens > 0 else { return sequences.map { _ in [Float](repeating: 0, count: h) } }
        let longest = sequences.map(\.count).max() ?? 0
        self.team?.beginPass()
        defer { self.team?.endPass() }
        let team = tokens <= EncoderTeam.maxRows ? self.team : nil
        team?.ifAlone?.wake()
        return pool.with { workspace in
            workspace.reserve(tokens: tokens, longest: longest, configuration: c)
            return encode(sequences, tokens: tokens, in: workspace, team: team)
        }
    }

    private func encode(
        _ sequences: [[Int32]], tokens: Int, in w: EncoderWorkspace, team: EncoderTeam?
    ) -> [[Float]] {
        let c = weights.configuration
        let h = c.hiddenSize
        let x = w.x
        let qkv = w.qkv
        let context = w.context
        let intermediate = w.intermediate

        // Embeddings: word + position + token type 0, then layer norm.
        var row = 0
        for sequence in sequences {
            for (position, id) in sequence.enumerated() {
                let out = x + row * h
                let word = weights.wordEmbeddings + Int(id) * h
                let place = weights.positionEmbeddings + position * h
                for j in 0..<h { out[j] = word[j] + place[j] + weights.tokenTypeEmbeddings[j] }
                row += 1
            }
        }
        layerNorm(x, rows: tokens, weights.embeddingNormWeight, weights.embeddingNormBias)

        let headWidth = h / c.heads
        let scale = 1 / Float(headWidth).squareRoot()
        for layer in weights.layers {
            // q, k, v for every token in one product: qkv = x · Wqkvᵀ + b.
            EncoderKernels.linear(layer.qkv, x, rows: tokens, into: qkv, accumulate: false, workspace: w, team: team?.ifAlone)
            var offset = 0
            for sequence in sequences {
                EncoderKernels.attention(
                    tokens: sequence.count, heads: c.heads, headWidth: headWidth, qkv: qkv + offset * 3 * h,
                    scale: scale, context: context + offset * h, scratch: w.attentionScratch)
                offset += sequence.count
            }
            // x = LayerNorm(x + context · Woᵀ + b): the residual is accumulated in place.
            EncoderKernels.linear(layer.attentionOut, context, rows: tokens, into: x, accumulate: true, workspace: w, team: team?.ifAlone)
            layerNorm(x, rows: tokens, layer.attentionNormWeight, layer.attentionNormBias)
            // x = LayerNorm(x + gelu(x · Wiᵀ + bi) · Woᵀ + bo).
            EncoderKernels.linear(
                layer.intermediate, x, rows: tokens, into: intermediate, accumulate: false, workspace: w, team: team?.ifAlone)
            EncoderKernels.gelu(intermediate, count: tokens * c.intermediateSize)
            EncoderKernels.linear(layer.output, intermediate, rows: tokens, into: x, accumulate: true, workspace: w, team: team?.ifAlone)
            layerNorm(x, rows: tokens, layer.outputNormWeight, layer.outputNormBias)
        }

        // Mean over each sequence's tokens (all of them are real tokens), then unit length.
        var result: [[Float]] = []
        result.reserveCapacity(sequences.count)
        var offset = 0
        for sequence in sequences {
            var pooled = [Float](repeating: 0, count: h)
            pooled.withUnsafeMutableBufferPointer { out in
                for t in offset..<(offset + sequence.count) {
                    let source = x + t * h
                    for j in 0..<h { out[j] += source[j] }
                }
                var norm: Float = 0
                for j in 0..<h { norm += out[j] * out[j] }
                // Dividing by the token count and then normalising equals normalising the sum.
                let inverse = 1 / max(norm.squareRoot(), 1e-12)
                for j in 0..<h { out[j] *= inverse }
            }
            result.append(pooled)
            offset += sequence.count
        }
        return result
    }

    private func layerNorm(
        _ x: UnsafeMutablePointer<Float>, rows: Int, _ gamma: UnsafePointer<Float>, _ beta: UnsafePointer<Float>
    ) {
        let c = weights.configuration
        EncoderKernels.layerNorm(
            x, rows: rows, width: c.hiddenSize, gamma: gamma, beta: beta, epsilon: c.layerNormEpsilon)
    }
}
