import Testing

@testable import PikaEmbeddings

@Suite("Weight arena")
struct WeightArenaTests {
    @Test("pieces are 64-byte aligned, in order, and do not overlap; the sizes sum as footprint says")
    func piecesAreAlignedAndDisjoint() {
        let counts = [1, 15, 16, 17, 1000, 4096]
        let arena = WeightArena(bytes: counts.reduce(0) { $0 + WeightArena.footprint(Float.self, $1) })
        var previousEnd = 0
        for count in counts {
            let piece = arena.take(Float.self, count)
            let start = Int(bitPattern: piece)
            #expect(start % 64 == 0)
            #expect(start >= previousEnd)
            piece.update(repeating: Float(count), count: count)
            previousEnd = start + count * MemoryLayout<Float>.stride
        }
        #expect(WeightArena.footprint(Float.self, 17) == 128)
    }
}
