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
    /// The packed weights, in one of the kernels' three forms.
    let weights: Weights
    /// The arena holding the fp32 panels (kept alive by this reference), or nil when they were
    /// allocated alone (and are freed in `deinit`).
    private let arena: WeightArena?

    /// How a layer's weights are held. Each case's buffers are freed in `deinit`, except fp32
    /// panels cut from a ``WeightArena``, which the arena frees.
    enum Weights {
        /// fp32 panels, for `chnsw_f32_gemm`.
        case float32(panels: UnsafeMutablePointer<Float>)
        /// Small integer codes with one scale per 32 inputs per column, expanded to fp32 in
        /// registers by `chnsw_f32q_gemm`.
        case blockScaled(codes: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>)
        /// int8 codes with a scale and a code sum per output channel, for `chnsw_s8_gemm`.
        case int8(codes: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>, sums: UnsafeMutablePointer<Int32>)
    }

    /// Packs the PyTorch-layout matrix `weight` (`[outputs, inputs]`, row-major) and copies `bias`.
    /// fp32 panels are cut from `arena` when one is given (sized with ``arenaBytes(outputs:inputs:)``),
    /// else allocated alone.
    init(
        weight: UnsafePointer<Float>, bias source: UnsafePointer<Float>, outputs: Int, inputs: Int,
        precision: EmbeddingPrecision, arena: WeightArena? = nil
    ) {
        self.inputs = inputs
        self.outputs = outputs
        bias = Self.allocate(Float.self, outputs)
        bias.update(from: source, count: outputs)
        switch precision {
        case .fp32:
            let count = chnsw_f32_packed_count(outputs, inputs)
            let packed = arena?.take(Float.self, count) ?? Self.allocate(Float.self, count)
            self.arena = arena
            // Cannot fail: pointers are non-nil and sizes positive (checked by the weights loader).
            _ = chnsw_f32_pack(weight, outputs, inputs, packed)
            weights = .float32(panels: packed)
        case .int8:
            let packed = Self.allocate(Int8.self, chnsw_s8_packed_count(outputs, inputs))
            let scales = Self.allocate(Float.self, outputs)
            let sums = Self.allocate(Int32.self, outputs)
            _ = chnsw_s8_pack(weight, outputs, inputs, packed, scales, sums)
            self.arena = nil
            weights = .int8(codes: packed, scales: scales, sums: sums)
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
        arena = nil
        weights = .blockScaled(codes: packed, scales: scales)
    }

    deinit {
        bias.deallocate()
        switch weights {
        case .float32(let panels):
            if arena == nil { panels.deallocate() }
        case .blockScaled(let codes, let scales):
            codes.deallocate()
            scales.deallocate()
        case .int8(let codes, let scales, let sums):
            codes.deallocate()
            scales.deallocate()
            sums.deallocate()
        }
    }

    /// Bytes the fp32 panels of an `[outputs, inputs]` matrix take in a ``WeightArena``.
    static func arenaBytes(outputs: Int, inputs: Int) -> Int {
        WeightArena.footprint(Float.self, chnsw_f32_packed_count(outputs, inputs))
    }

    /// 64-byte aligned, so that every packed panel starts on a cache line.
    private static func allocate<T>(_ type: T.Type, _ count: Int) -> UnsafeMutablePointer<T> {
        UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<T>.stride, alignment: 64)
            .bindMemory(to: T.self, capacity: max(count, 1))
    }
}
