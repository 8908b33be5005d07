import CHNSW

/// The encoder's calls into the C kernels (CHNSW/include/chnsw_embed.h), with the instruction
/// set picked once per process from the CPU's features.
enum EncoderKernels {
    /// The widest fp32 kernel this CPU runs (AVX-512F, AVX2+FMA or scalar).
    static let float32 = chnsw_embed_kernel_best(0)
    /// The widest int8 kernel this CPU runs (AVX-512 VNNI, AVX2 or scalar).
    static let int8 = chnsw_embed_kernel_best(1)

    /// A readable name of a kernel, for benchmarks and logs.
    static func name(_ kernel: chnsw_embed_kernel, int8: Bool) -> String {
        switch kernel {
        case CHNSW_EMBED_KERNEL_AVX512: return int8 ? "avx512-vnni" : "avx512"
        case CHNSW_EMBED_KERNEL_AVX2: return int8 ? "avx2-maddubs" : "avx2-fma"
        default: return "scalar"
        }
    }

    /// Bytes per row of int8 activation codes for `inputs` columns.
    static func codeStride(_ inputs: Int) -> Int { chnsw_s8_row_stride(inputs) }

    /// Floats of attention scratch for sequences of up to `longest` tokens.
    static func attentionScratch(longest: Int, headWidth: Int) -> Int {
        chnsw_attention_scratch_count(longest, headWidth)
    }

    /// out = input · Wᵀ + b (or out += … when `accumulate`), for `rows` rows of `layer.inputs` floats;
    /// split between the calling thread and `team`'s worker when a team is given (same results).
    static func linear(
        _ layer: PackedLinear, _ input: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>,
        accumulate: Bool, workspace: EncoderWorkspace, team: EncoderTeam? = nil
    ) {
        // The statuses below cannot be errors: shapes come from validated weights and buffers are
        // sized by EncoderWorkspace.reserve; a failure would be a programming error. A nil team
        // runs the product on the calling thread alone.
        let team = team?.pointer
        switch layer.weights {
        case .float32(let packed):
            let status = chnsw_f32_gemm_team(
                team, float32, rows, layer.outputs, layer.inputs, input, layer.inputs, packed, layer.bias,
                accumulate ? 1 : 0, out, layer.outputs)
            assert(status == CHNSW_OK)
        case .blockScaled(let codes, let scales):
            let status = chnsw_f32q_gemm_team(
                team, float32, rows, layer.outputs, layer.inputs, input, layer.inputs, codes, scales, layer.bias,
                accumulate ? 1 : 0, out, layer.outputs)
            assert(status == CHNSW_OK)
        case .int8(let packed, let scales, let sums):
            let stride = workspace.codeStride
            var status = chnsw_s8_quantize_rows(
                int8, rows, layer.inputs, input, layer.inputs, workspace.codes, stride, workspace.rowScales)
            assert(status == CHNSW_OK)
            status = chnsw_s8_gemm_team(
                team, int8, rows, layer.outputs, layer.inputs, workspace.codes, stride, workspace.rowScales, packed,
                scales, sums, layer.bias, accumulate ? 1 : 0, out, layer.outputs)
            assert(status == CHNSW_OK)
        }
    }

    /// Layer normalisation in place of `rows` rows of `width` floats: (x − mean) / √(variance + ε) · γ + β.
    static func layerNorm(
        _ x: UnsafeMutablePointer<Float>, rows: Int, width: Int, gamma: UnsafePointer<Float>,
        beta: UnsafePointer<Float>, epsilon: Float
    ) {
        let status = chnsw_layer_norm_f32(float32, rows, width, x, width, gamma, beta, epsilon)
        assert(status == CHNSW_OK)
    }

    /// BERT's GELU in place, x·Φ(x) = ½x(1 + erf(x/√2)), erf as a rational function (error < 5e-7).
    static func gelu(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let status = chnsw_gelu_f32(float32, count, x)
        assert(status == CHNSW_OK)
    }

    /// Self-attention of one sequence of `tokens` rows (all heads), context written into `context`.
    static func attention(
        tokens: Int, heads: Int, headWidth: Int, qkv: UnsafePointer<Float>, scale: Float,
        context: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>
    ) {
        let hidden = heads * headWidth
        let status = chnsw_attention_f32(
            float32, tokens, heads, headWidth, qkv, 3 * hidden, scale, context, hidden, scratch)
        assert(status == CHNSW_OK)
    }
}
