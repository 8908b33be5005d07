/// A growable set of small non-negative integers (deleted rows of a segment).
struct Bitmap: Sendable, Equatable {
    private(set) var words: [UInt64] = []
    /// Number of set bits.
    private(set) var count = 0

    init() {}

    init(_ rows: some Sequence<Int>) {
        for r in rows { insert(r) }
    }

    func contains(_ i: Int) -> Bool {
        let w = i >> 6
        return i >= 0 && w < words.count && words[w] & (1 << UInt64(i & 63)) != 0
    }

    /// Sets bit i; returns false if it was already set.
    @discardableResult
    mutating func insert(_ i: Int) -> Bool {
        let w = i >> 6
        if w >= words.count { words.append(contentsOf: repeatElement(0, count: w - words.count + 1)) }
        let mask: UInt64 = 1 << UInt64(i & 63)
        if words[w] & mask != 0 { return false }
        words[w] |= mask
        count += 1
        return true
    }

    /// Set bits, ascending.
    var members: [Int] {
        var out: [Int] = []
        out.reserveCapacity(count)
        for (w, word) in words.enumerated() where word != 0 {
            for b in 0..<64 where word & (1 << UInt64(b)) != 0 { out.append(w * 64 + b) }
        }
        return out
    }

    func count(in range: Range<Int>) -> Int {
        if count == 0 { return 0 }
        var n = 0
        for i in range where contains(i) { n += 1 }
        return n
    }

    /// The bits of `range`, rebased to 0, as bytes (bit r of byte r >> 3).
    func bytes(in range: Range<Int>) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: (range.count + 7) / 8)
        for i in range where contains(i) {
            let r = i - range.lowerBound
            out[r >> 3] |= UInt8(1 << (r & 7))
        }
        return out
    }
}
