import Dispatch
import PikaEngine
import Synchronization
import Testing

/// `VectorIndex.update` as a reader sees it: one version of the label at every moment.
@Suite("VectorIndex.update")
struct VectorIndexUpdateTests {
    static let dimension = 32

    func makeIndex(count: Int) throws -> (VectorIndex, [Float]) {
        var data = TestData(seed: 3)
        let base = data.vectors(count: count + 1, dimension: Self.dimension)
        let index = try VectorIndex(configuration: IndexConfiguration(dimension: Self.dimension, metric: .cosine))
        try index.add(labels: (0..<count).map { UInt64($0) }, vectors: Array(base.prefix(count * Self.dimension)))
        return (index, base)
    }

    static func exact(k: Int) -> SearchOptions {
        var options = SearchOptions(k: k)
        options.plan = .exact
        return options
    }

    func row(_ base: [Float], _ n: Int) -> [Float] { Array(base[(n * Self.dimension)..<((n + 1) * Self.dimension)]) }

    @Test("a failed update leaves the old version searchable", .blockingWork)
    func failedUpdateKeepsOldVersion() throws {
        let (index, base) = try makeIndex(count: 300)
        let old = row(base, 7)
        var nonFinite = row(base, 300)
        nonFinite[5] = .nan
        for bad in [nonFinite, [Float](repeating: 0, count: Self.dimension), Array(old.dropLast())] {
            #expect(throws: EngineError.self) { try index.update(label: 7, tenant: 2, vector: bad) }
        }
        #expect(index.contains(label: 7))
        #expect(index.info.liveCount == 300)
        let hit = try index.search(old, options: Self.exact(k: 1)).hits.first
        #expect(hit?.label == 7 && hit!.distance < 1e-5)
        #expect(try index.search(old, options: SearchOptions(k: 1, tenant: 0)).hits.first?.label == 7)
    }

    @Test("searches running during updates always find the label, once", .blockingWork)
    func concurrentSearchesSeeOneVersion() throws {
        let (index, base) = try makeIndex(count: 300)
        let target = row(base, 300)
        // Two versions of label 0, both far nearer the target than any other row.
        let versions = [-0.01, 0.01].map { step in target.enumerated().map { $0.element + Float(step) * Float($0.offset % 3) } }
        try index.update(label: 0, vector: versions[0])
        let done = Atomic<Bool>(false)
        let searches = Atomic<Int>(0)
        let misses = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let exact = Self.exact(k: 3)
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            if worker == 0 {
                for i in 0..<2_000 {
                    do { try index.update(label: 0, tenant: UInt32(i % 2), vector: versions[i % 2]) } catch {
                        failures.add(1, ordering: .relaxed)
                    }
                }
                done.store(true, ordering: .releasing)
            } else {
                while !done.load(ordering: .acquiring) {
                    let hits = (try? index.search(target, options: exact).hits) ?? []
                    if hits.filter({ $0.label == 0 }).count != 1 { misses.add(1, ordering: .relaxed) }
                    searches.add(1, ordering: .relaxed)
                }
            }
        }
        #expect(failures.load(ordering: .relaxed) == 0)
        #expect(misses.load(ordering: .relaxed) == 0)
        #expect(searches.load(ordering: .relaxed) > 0)
        #expect(index.info.liveCount == 300)
        let last = try index.search(versions[1], options: Self.exact(k: 1)).hits.first
        #expect(last?.label == 0 && last!.distance < 1e-5)
    }
}
