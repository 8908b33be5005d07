import PikaEngine

/// Seeded unit vectors around a few centres, for tests that need realistic neighbourhoods.
struct TestData {
    private var state: UInt64

    init(seed: UInt64) { state = seed | 1 }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 2_685_821_657_736_338_717
    }

    mutating func uniform() -> Float { Float(next() >> 40) / Float(1 << 24) }

    mutating func gaussian() -> Float {
        let u = uniform() + 1e-7
        let v = uniform()
        return (-2 * Float.log(u)).squareRoot() * Float.cos(2 * .pi * v)
    }

    /// `count` unit vectors of `dimension` around `clusters` centres, row-major.
    mutating func vectors(count: Int, dimension: Int, clusters: Int = 8) -> [Float] {
        let centres = (0..<(clusters * dimension)).map { _ in gaussian() }
        var out = [Float]()
        out.reserveCapacity(count * dimension)
        for _ in 0..<count {
            let c = Int(next() % UInt64(clusters))
            var row = (0..<dimension).map { centres[c * dimension + $0] + 0.6 * gaussian() }
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in row.indices { row[i] /= norm }
            out.append(contentsOf: row)
        }
        return out
    }
}

/// Brute-force nearest labels by cosine distance among rows where `keep(row)`.
func bruteForce(
    _ base: [Float], dimension: Int, query: ArraySlice<Float>, k: Int, keep: (Int) -> Bool = { _ in true }
)
    -> [UInt64]
{
    let rows = base.count / dimension
    var scored: [(Float, Int)] = []
    for r in 0..<rows where keep(r) {
        var dot: Float = 0
        for d in 0..<dimension { dot += base[r * dimension + d] * query[query.startIndex + d] }
        scored.append((1 - dot, r))
    }
    scored.sort { $0.0 < $1.0 }
    return scored.prefix(k).map { UInt64($0.1) }
}

extension Float {
    static func log(_ x: Float) -> Float { Float(glibcLog(Double(x))) }
    static func cos(_ x: Float) -> Float { Float(glibcCos(Double(x))) }
}

#if canImport(Glibc)
    import Glibc
    private func glibcLog(_ x: Double) -> Double { Glibc.log(x) }
    private func glibcCos(_ x: Double) -> Double { Glibc.cos(x) }
#endif
