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

    /// out = input · Wᵀ + b (or out += … when `accumulate`), for `rows` rows of `layer.inputs` floats.
    static func linear(
        _ layer: PackedLinear, _ input: UnsafePointer<Float>, rows: Int, into out: UnsafeMutablePointer<Float>,
        accumulate: Bool, workspace: EncoderWorkspace
    ) {
        // The statuses below cannot be errors: shapes come from validated weights and buffers are
        // sized by EncoderWorkspace.reserve; a failure would be a programming error.
        if let packed = layer.packedF32 {
            let status = chnsw_f32_gemm(
                float32, rows, layer.outputs, layer.inputs, input, layer.inputs, packed, layer.bias,
                accumulate ? 1 : 0, out, layer.outputs)
            assert(status == CHNSW_OK)
        } else if let codes = layer.packedCodes, let scales = layer.blockScales {
            let status = chnsw_f32q_gemm(
                float32, rows, layer.outputs, layer.inputs, input, layer.inputs, codes, scales, layer.bias,
                accumulate ? 1 : 0, out, layer.outputs)
            assert(status == CHNSW_OK)
        } else if let packed = layer.packedS8, let scales = layer.scales, let sums = layer.sums {
            let stride = workspace.codeStride
            var status = chnsw_s8_quantize_rows(
                int8, rows, layer.inputs, input, layer.inputs, workspace.codes, stride, workspace.rowScales)
            assert(status == CHNSW_OK)
            status = chnsw_s8_gemm(
                int8, rows, layer.outputs, layer.inputs, workspace.codes, stride, workspace.rowScales, packed,
                scales, sums, layer.bias, accumulate ? 1 : 0, out, layer.outputs)
            assert(status == CHNSW_OK)
        }
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
