/// File names inside a data directory.
enum Names {
    /// `n` in decimal, zero-padded to six digits so file names sort in number order.
    static func padded(_ n: UInt64) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 6 - s.count)) + s
    }
    static func wal(_ generation: UInt64) -> String { "wal-\(padded(generation)).log" }
    static func segment(_ id: UInt64) -> String { "seg-\(padded(id)).pseg" }
    static func graph(_ id: UInt64, generation: UInt64) -> String { "seg-\(padded(id))-g\(generation).chnsw" }
    static func tombstones(_ id: UInt64, generation: UInt64) -> String { "seg-\(padded(id))-d\(generation).del" }
}
