import CHNSW

/// One linear layer, y = x · Wᵀ + b, with W packed once at load for the encoder's kernels
/// (chnsw_embed.h): fp32 panels; for weights shipped quantised, their small integer codes with a
/// scale per 32 inputs, expanded to fp32 in registers (fp32 arithmetic on a quarter of the
/// memory traffic); or int8 codes with per-output-channel scales (int8 arithmetic).
///
/// `@unchecked Sendable` is safe: the buffers are written only in `init` and freed in `deinit`;
/// in between every user only reads them.
final class PackedLinear: @unchecked Sendable {
    /// Input width (columns of x).
    let inputs: Int
    /// Output width (columns of y).
    let outputs: Int
    /// Bias, `outputs` floats (owned copy).
    let bias: UnsafeMutablePointer<Float>
    /// fp32 packed weights (nil in int8 mode).
    let packedF32: UnsafeMutablePointer<Float>?
    /// Block-scaled fp32 weights: packed codes and one scale per 32 inputs per column (nil unless
    /// the layer was made by ``init(codes:blockScales:bias:outputs:inputs:)``).
    let packedCodes: UnsafeMutablePointer<Int8>?
    let blockScales: UnsafeMutablePointer<Float>?
    /// int8 packed weights and their per-channel scales and code sums (nil in fp32 mode).
    let packedS8: UnsafeMutablePointer<Int8>?
    let scales: UnsafeMutablePointer<Float>?
    let sums: UnsafeMutablePointer<Int32>?

    /// Packs the PyTorch-layout matrix `weight` (`[outputs, inputs]`, row-major) and copies `bias`.
    init(
        weight: UnsafePointer<Float>, bias source: UnsafePointer<Float>, outputs: Int, inputs: Int,
        precision: EmbeddingPrecision
    ) {
        self.inputs = inputs
        self.outputs = outputs
        bias = Self.allocate(Float.self, outputs)
        bias.update(from: source, count: outputs)
        switch precision {
        case .fp32:
            let packed = Self.allocate(Float.self, chnsw_f32_packed_count(outputs, inputs))
            // Cannot fail: pointers are non-nil and sizes positive (checked by the weights loader).
            _ = chnsw_f32_pack(weight, outputs, inputs, packed)
            packedF32 = packed
            packedCodes = nil
            blockScales = nil
            packedS8 = nil
            scales = nil
            sums = nil
        case .int8:
            let packed = Self.allocate(Int8.self, chnsw_s8_packed_count(outputs, inputs))
            let scales = Self.allocate(Float.self, outputs)
            let sums = Self.allocate(Int32.self, outputs)
            _ = chnsw_s8_pack(weight, outputs, inputs, packed, scales, sums)
            packedF32 = nil
            packedCodes = nil
            blockScales = nil
            packedS8 = packed
            self.scales = scales
            self.sums = sums
        }
    }

    /// Packs weights given as codes and block scales, W[j][i] = codes[j][i] · blockScales[j][i / 32]
    /// (`codes` `[outputs, inputs]`, `blockScales` `[outputs, inputs / 32]`, row-major; `inputs` a
    /// multiple of 32), for the fp32 products of ``EncoderKernels/linear``. A 4-bit model's layers
    /// stay a quarter of their fp32 size, so a one-query pass is not bound by memory bandwidth.
    init(
        codes: UnsafePointer<Int8>, blockScales source: UnsafePointer<Float>, bias biasSource: UnsafePointer<Float>,
        outputs: Int, inputs: Int
    ) {
        self.inputs = inputs
        self.outputs = outputs
        bias = Self.allocate(Float.self, outputs)
        bias.update(from: biasSource, count: outputs)
        let packed = Self.allocate(Int8.self, chnsw_f32q_packed_codes(outputs, inputs))
        let scales = Self.allocate(Float.self, chnsw_f32q_packed_scales(outputs, inputs))
        // Cannot fail: the model loader checks that `inputs` is a multiple of the block.
        _ = chnsw_f32q_pack(codes, source, outputs, inputs, packed, scales)
        packedCodes = packed
        blockScales = scales
        packedF32 = nil
        packedS8 = nil
        self.scales = nil
        sums = nil
    }

    deinit {
        bias.deallocate()
        packedF32?.deallocate()
        packedCodes?.deallocate()
        blockScales?.deallocate()
        packedS8?.deallocate()
        scales?.deallocate()
        sums?.deallocate()
    }

    /// Bytes held by the packed weights (for memory accounting in the docs).
    var weightBytes: Int {
        if packedF32 != nil { return chnsw_f32_packed_count(outputs, inputs) * 4 }
        if packedCodes != nil {
            return chnsw_f32q_packed_codes(outputs, inputs) + 4 * chnsw_f32q_packed_scales(outputs, inputs)
        }
        return chnsw_s8_packed_count(outputs, inputs) + 8 * outputs
    }

    /// 64-byte aligned, so that every packed panel starts on a cache line.
    private static func allocate<T>(_ type: T.Type, _ count: Int) -> UnsafeMutablePointer<T> {
        UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<T>.stride, alignment: 64)
            .bindMemory(to: T.self, capacity: max(count, 1))
    }
}
