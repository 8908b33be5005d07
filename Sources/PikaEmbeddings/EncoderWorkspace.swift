import Synchronization

/// The scratch buffers of one forward pass, reused from pass to pass so that a query allocates
/// nothing but its result.
///
/// `@unchecked Sendable` is safe: a workspace is used by one pass at a time; it moves between
/// threads only through ``EncoderWorkspacePool``, whose mutex orders the hand-overs.
final class EncoderWorkspace: @unchecked Sendable {
    /// Token rows the buffers hold.
    private(set) var tokens = 0
    /// Longest sequence the attention scratch holds.
    private(set) var longest = 0
    private(set) var x: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var qkv: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var context: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var intermediate: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var attentionScratch: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    /// int8 activation codes (rows of ``codeStride`` bytes) and per-row scales.
    private(set) var codes: UnsafeMutablePointer<Int8> = .allocate(capacity: 1)
    private(set) var rowScales: UnsafeMutablePointer<Float> = .allocate(capacity: 1)
    private(set) var codeStride = 0
    /// Floats in ``attentionScratch``.
    private(set) var scratchCapacity = 0

    /// Bytes the buffers take, to decide whether the pool keeps the workspace.
    private(set) var bytes = 0

    /// Grows the buffers (never shrinks them) to `tokens` rows and sequences of `longest` tokens.
    func reserve(tokens: Int, longest: Int, configuration c: MiniLMConfiguration, attentionScratch scratch: Int) {
        guard tokens > self.tokens || longest > self.longest || scratch > scratchCapacity else { return }
        let t = max(tokens, self.tokens)
        // The scratch keeps the largest size asked so far: sized for this call's `longest` alone, a
        // pass with more tokens but shorter sequences shrank it below what `self.longest` promised,
        // and a later long sequence overran it (heap corruption, seen once queries were batched).
        let s = max(scratch, scratchCapacity)
        release()
        scratchCapacity = s
        self.tokens = t
        self.longest = max(longest, self.longest)
        x = .allocate(capacity: t * c.hiddenSize)
        qkv = .allocate(capacity: t * 3 * c.hiddenSize)
        context = .allocate(capacity: t * c.hiddenSize)
        intermediate = .allocate(capacity: t * c.intermediateSize)
        attentionScratch = .allocate(capacity: s)
        codeStride = EncoderKernels.codeStride(max(c.hiddenSize, c.intermediateSize))
        codes = .allocate(capacity: t * codeStride)
        rowScales = .allocate(capacity: t)
        bytes = 4 * t * (5 * c.hiddenSize + c.intermediateSize + 1) + 4 * s + t * codeStride
    }

    private func release() {
        for buffer in [x, qkv, context, intermediate, attentionScratch, rowScales] { buffer.deallocate() }
        codes.deallocate()
    }

    deinit { release() }
}

/// Workspaces waiting for the next pass. Small ones (queries, short batches) are kept; a
/// workspace grown for a large batch is dropped after its pass so that a one-off import does not
/// hold tens of megabytes for the life of the process.
final class EncoderWorkspacePool: Sendable {
    private let idle = Mutex<[EncoderWorkspace]>([])
    /// Largest workspace kept, in bytes (a 512-token pass of all-MiniLM-L6-v2 takes ~7 MB).
    private let keepBytes: Int
    /// Most workspaces kept (one per concurrent pass expected).
    private let keepCount: Int

    init(keepBytes: Int = 16 << 20, keepCount: Int = 4) {
        self.keepBytes = keepBytes
        self.keepCount = keepCount
    }

    /// Runs `body` with a workspace taken from the pool (or a new one) and returns it afterwards.
    func with<R>(_ body: (EncoderWorkspace) -> R) -> R {
        let workspace = idle.withLock { $0.popLast() } ?? EncoderWorkspace()
        let result = body(workspace)
        if workspace.bytes <= keepBytes {
            idle.withLock { if $0.count < keepCount { $0.append(workspace) } }
        }
        return result
    }
}
