import Foundation
import PikaEngine
import PikaTestSupport
import Testing

@testable import PikaStorage

/// `DataDirectory.searchIDs`, the ids-only search `pika index search` uses: the same ids and
/// distances as the full search in every shape of directory, and damaged records still reported.
@Suite("Ids-only search", .blockingWork)
struct IDSearchTests {
    /// Three sealed segments (deletes in two of them, one record updated into a later
    /// segment) plus records in the growing segment; returns the store and the live numbers.
    static func layeredStore(at path: String, metric: Metric) throws -> (DataDirectory, [Int]) {
        let store = try DataDirectory.create(at: path, configuration: Fixture.configuration(metric))
        try store.upsert((0..<300).map { Fixture.record($0) }, vectors: (0..<300).map { Fixture.vector($0) })
        try store.seal()
        try store.upsert((300..<500).map { Fixture.record($0) }, vectors: (300..<500).map { Fixture.vector($0) })
        _ = try store.delete(ids: stride(from: 0, to: 300, by: 7).map { "id-\($0)" })
        try store.seal()
        // id-1 moves to the third segment with record 600's vector.
        try store.upsert([Fixture.record(1)], vectors: [Fixture.vector(600)])
        try store.upsert((500..<560).map { Fixture.record($0) }, vectors: (500..<560).map { Fixture.vector($0) })
        _ = try store.delete(ids: ["id-310", "id-320"])
        try store.seal()
        try store.upsert((560..<590).map { Fixture.record($0) }, vectors: (560..<590).map { Fixture.vector($0) })
        let live = (0..<590).filter { ($0 >= 300 || $0 % 7 != 0) && $0 != 310 && $0 != 320 }
        return (store, live)
    }

    static func expectSameAsFullSearch(_ store: DataDirectory) throws {
        var reused = RecordIDSearch()
        for q in 0..<24 {
            let query = Fixture.vector(20_000 + q)
            var options = RecordSearchOptions(k: [1, 10, 40][q % 3], tenant: q % 4 == 3 ? nil : UInt32(q % 4))
            options.plan = [SearchPlan.automatic, .exact, .graph][q % 3]
            let full = try store.searchReport(query, options: options)
            try query.withUnsafeBufferPointer { try store.searchIDs($0, options: options, into: &reused) }
            #expect(reused.hits.map(\.id) == full.hits.map(\.record.id), "query \(q)")
            #expect(reused.hits.map(\.distance) == full.hits.map(\.distance), "query \(q)")
            #expect(reused.usedGraph == full.usedGraph, "query \(q)")
            var fresh = RecordIDSearch()
            try query.withUnsafeBufferPointer { try store.searchIDs($0, options: options, into: &fresh) }
            #expect(fresh.hits == reused.hits, "query \(q): a reused result differs from a fresh one")
        }
    }

    @Test("same ids and distances as the full search: several segments, deletes, an update, the growing segment")
    func matchesFullSearch() throws {
        let dir = try TempDir()
        for metric in [Metric.l2, .cosine, .innerProduct] {
            let (store, _) = try Self.layeredStore(at: dir.sub("\(metric)"), metric: metric)
            #expect(store.state.withLock { $0.segments.count } == 3)
            #expect(store.state.withLock { $0.growing.count } == 30)
            try Self.expectSameAsFullSearch(store)
        }
    }

    @Test("across segments the top k matches brute force, ties and trimming included")
    func matchesBruteForce() throws {
        let dir = try TempDir()
        let (store, live) = try Self.layeredStore(at: dir.sub("d"), metric: .l2)
        // id-1 now carries vector 600; brute force over the live numbers with that swap.
        var result = RecordIDSearch()
        for q in 0..<12 {
            let query = Fixture.vector(30_000 + q)
            let tenant: UInt32? = q % 2 == 0 ? UInt32(q % 4) : nil
            var options = RecordSearchOptions(k: 10, tenant: tenant)
            options.plan = .exact
            try query.withUnsafeBufferPointer { try store.searchIDs($0, options: options, into: &result) }
            var scored: [(Float, String)] = []
            for n in live where tenant == nil || UInt32(n % 4) == tenant {
                let v = Fixture.vector(n == 1 ? 600 : n)
                scored.append((zip(v, query).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }, "id-\(n)"))
            }
            scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
            #expect(result.hits.map(\.id) == scored.prefix(10).map(\.1), "query \(q)")
        }
    }

    @Test("rows tied at the k-th distance are chosen by id in every kind of segment, whatever their row order")
    func tiesAtTheCutGoByID() throws {
        let dir = try TempDir()
        // Twelve records of tenant 0 share one vector and are written in falling id order, so
        // row order and id order disagree; twelve other tenant-0 records lie farther away.
        let shared = Fixture.vector(7_000)
        let tied = (0..<12).reversed().map { Fixture.record(100 + $0, tenant: 0) }
        let others = (0..<12).map { Fixture.record(200 + $0, tenant: 0) }
        let expected = (100..<112).map { "id-\($0)" }.sorted()
        for metric in [Metric.l2, .cosine] {
            for sealed in [false, true] {
                // Sealed cosine segments are scanned through their int8 copy.
                let store = try DataDirectory.create(at: dir.sub("\(metric)-\(sealed)"), configuration: Fixture.configuration(metric))
                try store.upsert(others, vectors: (0..<12).map { Fixture.vector(7_100 + $0) })
                try store.upsert(tied, vectors: Array(repeating: shared, count: tied.count))
                if sealed { try store.seal() }
                var result = RecordIDSearch()
                for k in [1, 3, 11, 12, 13] {
                    for plan in [SearchPlan.automatic, .exact, .graph] {
                        var options = RecordSearchOptions(k: k, ef: 64, tenant: 0)
                        options.plan = plan
                        try shared.withUnsafeBufferPointer { try store.searchIDs($0, options: options, into: &result) }
                        let want = Array(expected.prefix(k))
                        #expect(Array(result.hits.map(\.id).prefix(min(k, 12))) == want, "\(metric), sealed \(sealed), k \(k), \(plan)")
                        #expect(Fixture.ids(try store.search(shared, options: options)).prefix(min(k, 12)) == want[...])
                    }
                }
            }
        }
    }

    @Test("bad queries are refused by name, as by the full search")
    func refusals() throws {
        let dir = try TempDir()
        let store = try Fixture.store(at: dir.sub("d"), count: 20, metric: .cosine)
        var result = RecordIDSearch()
        func code(_ query: [Float]) -> StorageError.Code? {
            do {
                try query.withUnsafeBufferPointer { try store.searchIDs($0, options: RecordSearchOptions(k: 3), into: &result) }
                return nil
            } catch let error as StorageError {
                return error.code
            } catch {
                return nil
            }
        }
        var nan = Fixture.vector(1)
        nan[Fixture.dimension - 1] = .nan
        var infinite = Fixture.vector(1)
        infinite[2] = -.infinity
        #expect(code(nan) == .invalidVector)
        #expect(code(infinite) == .invalidVector)
        #expect(code([Float](repeating: 0, count: Fixture.dimension)) == .invalidVector)
        #expect(code([1, 2, 3]) == .dimensionMismatch)
        #expect(code(Fixture.vector(2)) == nil)

        // Dimension 11: eight values in a SIMD lane group, three in the scalar tail.
        let odd = try DataDirectory.create(
            at: dir.sub("odd"), configuration: CollectionConfiguration(dimension: 11, metric: .cosine, embedder: "test"))
        try odd.upsert(Fixture.record(0), vector: (0..<11).map { Float($0) + 1 })
        for bad in [Float.nan, .infinity] {
            var tail = [Float](repeating: 0.5, count: 11)
            tail[10] = bad
            #expect(throws: StorageError.self) {
                try tail.withUnsafeBufferPointer { try odd.searchIDs($0, options: RecordSearchOptions(k: 1), into: &result) }
            }
            #expect(throws: StorageError.self) { try odd.search(tail) }
        }
        #expect(throws: StorageError.self) { try odd.search([Float](repeating: 0, count: 11)) }
        #expect(try odd.search([Float](repeating: 0, count: 10) + [1]).map(\.record.id) == ["id-0"])
    }

    @Test("a damaged byte anywhere in a returned record fails the search naming the segment, never a wrong id")
    func damagedRecords() throws {
        let dir = try TempDir()
        let path = dir.sub("d")
        let store = try Fixture.store(at: path, count: 40)
        try store.seal()
        let name = try #require(try Bytes.files(path, prefix: "seg-", suffix: ".pseg").first)
        let original = try Bytes.read(path + "/" + name)
        let header = try original.withUnsafeBytes { try SegmentFormat.parseHeader($0, path: name) }
        func offset(_ row: Int) -> Int {
            original.withUnsafeBytes {
                Int($0.loadUnaligned(fromByteOffset: header.recordOffsetsOffset + row * 8, as: UInt64.self)) + header.recordsOffset
            }
        }
        // In every record: the id's first byte (what searchIDs decodes), then the last byte
        // (provenance, which it does not decode but the record's checksum covers).
        for (what, position) in [("id", { (row: Int) in offset(row) + 4 + 4 + 8 + 8 + 4 }), ("last byte", { offset($0 + 1) - 1 })] {
            var bytes = original
            for row in 0..<header.rows { bytes[position(row)] ^= 0x20 }
            try Bytes.write(bytes, to: path + "/" + name)
            defer { try? Bytes.write(original, to: path + "/" + name) }
            var options = OpenOptions()
            options.readOnly = true
            let damaged = try DataDirectory.open(at: path, options: options)
            var result = RecordIDSearch()
            for q in 0..<4 {
                do {
                    try Fixture.vector(q).withUnsafeBufferPointer {
                        try damaged.searchIDs($0, options: RecordSearchOptions(k: 5), into: &result)
                    }
                    Issue.record("\(what): query \(q) returned \(result.hits.map(\.id)) from damaged records")
                } catch let error as StorageError {
                    #expect(error.code == .corruptFile && error.path?.hasSuffix(name) == true, "\(what): \(error)")
                    #expect(error.message.contains("checksum"), "\(what): \(error)")
                }
            }
        }
    }
}
