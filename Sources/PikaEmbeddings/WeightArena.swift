#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One block of memory for all of a model's packed fp32 weights, cut into 64-byte aligned
/// pieces, on 2 MiB pages where Linux grants them (`madvise(MADV_HUGEPAGE)`; this machine's
/// transparent huge pages are "madvise" only).
///
/// Why: a query's products read all ~42 MB of MiniLM's weights once, and between a server's
/// requests other work evicts part of them from L3. On 4 KiB pages that stream crossed ~10,400
/// pages, each a TLB miss and a stop for the hardware prefetcher; on 2 MiB pages it crosses ~21
/// (MiniLM's 24 products for 15 rows: 2.50 against 2.92 ms back to back, 3.02 against 3.65 ms
/// after 5 ms idle; docs/benchmarks.md). Allocating per matrix would round each one up to 2 MiB.
///
/// `@unchecked Sendable` is safe: pieces are handed out only while the loader builds the model
/// (one thread); afterwards the memory is only read, and it is freed in `deinit`, once every
/// ``PackedLinear`` holding a reference to the arena is gone.
final class WeightArena: @unchecked Sendable {
    private static let hugePage = 2 << 20
    private let base: UnsafeMutableRawPointer
    private let capacity: Int
    private var used = 0

    /// Reserves `bytes` (rounded up to whole 2 MiB pages), 2 MiB aligned.
    init(bytes: Int) {
        capacity = (max(bytes, 1) + Self.hugePage - 1) / Self.hugePage * Self.hugePage
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: Self.hugePage)
        #if os(Linux)
            // Advice only: without huge pages the weights work the same, a little slower.
            _ = madvise(base, capacity, MADV_HUGEPAGE)
        #endif
    }

    /// Bytes a piece of `count` values of `type` takes in the arena (64-byte aligned).
    static func footprint<T>(_ type: T.Type, _ count: Int) -> Int {
        (max(count, 1) * MemoryLayout<T>.stride + 63) / 64 * 64
    }

    /// The next `count` values of `type`, 64-byte aligned. The caller sized the arena with
    /// ``footprint(_:_:)`` of every piece; taking more is a programming error.
    func take<T>(_ type: T.Type, _ count: Int) -> UnsafeMutablePointer<T> {
        let size = Self.footprint(type, count)
        precondition(used + size <= capacity, "WeightArena: sized for \(capacity) bytes, asked for \(used + size)")
        defer { used += size }
        return (base + used).bindMemory(to: T.self, capacity: max(count, 1))
    }

    deinit { base.deallocate() }
}
