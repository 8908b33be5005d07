import PikaEngine
import PikaTestSupport
import Testing

@Suite("VectorIndex")
struct VectorIndexTests {
    static let dimension = 32

    func makeIndex(count: Int, tenants: Int = 10, seed: UInt64 = 1, threshold: Int = 100) throws -> (VectorIndex, [Float], [UInt32]) {
        var data = TestData(seed: seed)
        let base = data.vectors(count: count, dimension: Self.dimension)
        let tenantOfRow = (0..<count).map { UInt32($0 % tenants) }
        var config = IndexConfiguration(dimension: Self.dimension, metric: .cosine)
        config.exactScanThreshold = threshold
        let index = try VectorIndex(configuration: config)
        try index.add(labels: (0..<count).map { UInt64($0) }, tenants: tenantOfRow, vectors: base, threads: 2)
        return (index, base, tenantOfRow)
    }

    @Test("recall@10 against brute force is at least 0.95 at ef 100", .blockingWork)
    func recall() throws {
        let (index, base, _) = try makeIndex(count: 5000)
        // The same seed regenerates the same 5,000 rows; the 50 after them are queries from the same clusters.
        var data = TestData(seed: 1)
        let queries = Array(data.vectors(count: 5050, dimension: Self.dimension).suffix(50 * Self.dimension))
        var hits = 0
        for q in 0..<50 {
            let query = Array(queries[(q * Self.dimension)..<((q + 1) * Self.dimension)])
            let result = try index.search(query, options: SearchOptions(k: 10, ef: 100))
            let truth = bruteForce(base, dimension: Self.dimension, query: query[...], k: 10)
            hits += Set(result.hits.map(\.label)).intersection(truth).count
            #expect(result.hits.map(\.distance) == result.hits.map(\.distance).sorted())
        }
        #expect(Double(hits) / 500 >= 0.95)
    }

    @Test("no result ever comes from another tenant, by any plan", .blockingWork)
    func tenantIsolation() throws {
        let (index, base, tenants) = try makeIndex(count: 3000, tenants: 7)
        var data = TestData(seed: 5)
        for trial in 0..<200 {
            let tenant = UInt32(data.next() % 7)
            let row = Int(data.next() % 3000)
            var options = SearchOptions(k: 10, ef: 32, tenant: tenant)
            options.plan = SearchPlan.allCases[trial % 3]
            let query = Array(base[(row * Self.dimension)..<((row + 1) * Self.dimension)])
            let result = try index.search(query, options: options)
            #expect(result.hits.allSatisfy { tenants[Int($0.label)] == tenant })
            if options.plan != .graph { #expect(result.hits.count == 10) }
        }
    }

    @Test("small tenants are scanned exactly with recall 1.0", .blockingWork)
    func plannerChoosesExactForSmallTenants() throws {
        let (index, base, tenants) = try makeIndex(count: 2000, tenants: 40, threshold: 100)
        let query = Array(base[0..<Self.dimension])
        let result = try index.search(query, options: SearchOptions(k: 5, tenant: 3))
        #expect(result.plan == .exact)
        let truth = bruteForce(base, dimension: Self.dimension, query: query[...], k: 5) { tenants[$0] == 3 }
        #expect(result.hits.map(\.label) == truth)
    }

    @Test("removed labels are never returned; update replaces the vector", .blockingWork)
    func removeAndUpdate() throws {
        let (index, base, _) = try makeIndex(count: 1000)
        let query = Array(base[(7 * Self.dimension)..<(8 * Self.dimension)])
        #expect(try index.search(query, options: SearchOptions(k: 1)).hits.first?.label == 7)
        try index.remove(label: 7)
        #expect(!index.contains(label: 7))
        for plan in SearchPlan.allCases {
            var options = SearchOptions(k: 20)
            options.plan = plan
            #expect(try !index.search(query, options: options).hits.contains { $0.label == 7 })
        }
        #expect(throws: EngineError(code: .unknownLabel, message: "removing label 7: the label is not in the index")) {
            try index.remove(label: 7)
        }
        try index.update(label: 9, tenant: 3, vector: query)
        #expect(try index.search(query, options: SearchOptions(k: 1, tenant: 3)).hits.first?.label == 9)
        #expect(try index.vector(for: 9).count == Self.dimension)
        #expect(index.info.removedCount == 2)
    }

    @Test("a predicate and an allow-list restrict results", .blockingWork)
    func filters() throws {
        let (index, base, _) = try makeIndex(count: 1500)
        let query = Array(base[0..<Self.dimension])
        var options = SearchOptions(k: 10)
        options.predicate = { label, _ in label % 3 == 0 }
        #expect(try index.search(query, options: options).hits.allSatisfy { $0.label % 3 == 0 })
        var listed = SearchOptions(k: 10)
        listed.allowedLabels = [1, 2, 3, 500, 501, 99_999]
        let hits = try index.search(query, options: listed).hits.map(\.label)
        #expect(Set(hits) == [1, 2, 3, 500, 501])
    }

    @Test("bad input throws named errors and changes nothing", .blockingWork)
    func badInput() throws {
        let (index, base, _) = try makeIndex(count: 200)
        let good = Array(base[0..<Self.dimension])
        func code(_ body: () throws -> Void) -> EngineError.Code? {
            do { try body() } catch let error as EngineError { return error.code } catch { return nil }
            return nil
        }
        #expect(code { try index.add(label: 1000, vector: [1, 2, 3]) } == .dimensionMismatch)
        var nan = good
        nan[3] = .nan
        #expect(code { try index.add(label: 1000, vector: nan) } == .nonFinite)
        var inf = good
        inf[0] = .infinity
        #expect(code { _ = try index.search(inf) } == .nonFinite)
        #expect(code { try index.add(label: 1000, vector: [Float](repeating: 0, count: Self.dimension)) } == .zeroVector)
        #expect(code { try index.add(label: 5, vector: good) } == .duplicateLabel)
        #expect(code { _ = try index.search(good, options: SearchOptions(k: 0)) } == .kZero)
        #expect(code { _ = try index.search(good, options: SearchOptions(k: 201, ef: 300)) } == .kExceedsCount)
        #expect(code { _ = try index.search(good, options: SearchOptions(k: 10, ef: 5)) } == .efTooSmall)
        #expect(code { _ = try index.search(good, options: SearchOptions(k: 1, tenant: 4242)) } == .unknownTenant)
        #expect(code { try index.remove(label: 4242) } == .unknownLabel)
        // A batch with one bad row names it and inserts nothing.
        var rows = Array(base[0..<(3 * Self.dimension)])
        rows[Self.dimension + 1] = .nan
        do {
            try index.add(labels: [900, 901, 902], vectors: rows)
            Issue.record("the batch should have been refused")
        } catch {
            #expect(error.code == .nonFinite && error.row == 1)
        }
        #expect(index.info.liveCount == 200)
        let empty = try VectorIndex(configuration: IndexConfiguration(dimension: 4, metric: .l2))
        #expect(code { _ = try empty.search([1, 2, 3, 4]) } == .emptyIndex)
        #expect(code { _ = try VectorIndex(configuration: IndexConfiguration(dimension: 0, metric: .l2)) } == .invalidArgument)
    }

    @Test("save and load give the same answers; a damaged file is named by verify, a damaged header by load", .blockingWork)
    func persistence() throws {
        let (index, base, _) = try makeIndex(count: 800)
        let path = "/tmp/pika-engine-test-\(UInt32.random(in: 0...UInt32.max)).chnsw"
        defer { unlink(path) }
        try index.save(to: path)
        let loaded = try VectorIndex.load(from: path)
        for row in stride(from: 0, to: 800, by: 37) {
            let query = Array(base[(row * Self.dimension)..<((row + 1) * Self.dimension)])
            let options = SearchOptions(k: 5, tenant: UInt32(row % 10))
            #expect(try index.search(query, options: options).hits == loaded.search(query, options: options).hits)
        }
        let fd = open(path, O_WRONLY)
        _ = lseek(fd, 5000, SEEK_SET)
        var garbage: [UInt8] = [0xde, 0xad]
        _ = write(fd, &garbage, 2)
        close(fd)
        // Opening may not see it (the vectors' checksum is verification's), verification does.
        do {
            try VectorIndex.verifyFile(path)
            Issue.record("a damaged file should not verify")
        } catch {
            #expect(error.code == .corruptFile)
            #expect(error.message.contains(path))
        }
        // A damaged header is refused at open.
        let header = open(path, O_WRONLY)
        _ = lseek(header, 20, SEEK_SET)
        _ = write(header, &garbage, 2)
        close(header)
        do {
            _ = try VectorIndex.load(from: path)
            Issue.record("a damaged header should not load")
        } catch {
            #expect(error.code == .corruptFile)
            #expect(error.message.contains(path))
        }
    }

    @Test("exact batch search agrees with brute force", .blockingWork)
    func exactBatch() throws {
        let (index, base, _) = try makeIndex(count: 600)
        let queries = Array(base[0..<(4 * Self.dimension)])
        let results = try index.exactSearch(queries: queries, k: 3)
        for q in 0..<4 {
            let truth = bruteForce(base, dimension: Self.dimension, query: queries[(q * Self.dimension)..<((q + 1) * Self.dimension)], k: 3)
            #expect(results[q].map(\.label) == truth)
        }
    }

    @Test("searches from many tasks run while one writer inserts")
    func concurrentSearchesDuringInserts() async throws {
        let (index, base, _) = try makeIndex(count: 500)
        var data = TestData(seed: 17)
        let extra = data.vectors(count: 500, dimension: Self.dimension)
        try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for i in 0..<500 {
                    try index.add(
                        label: UInt64(10_000 + i), tenant: 1, vector: Array(extra[(i * Self.dimension)..<((i + 1) * Self.dimension)]))
                }
                return 0
            }
            for reader in 0..<3 {
                group.addTask {
                    var found = 0
                    for i in 0..<300 {
                        let row = (i * 7 + reader) % 500
                        let query = Array(base[(row * Self.dimension)..<((row + 1) * Self.dimension)])
                        let hits = try index.search(query, options: SearchOptions(k: 5, tenant: 1)).hits
                        found += hits.count
                        #expect(hits.allSatisfy { $0.label >= 10_000 ? true : $0.label % 10 == 1 })
                    }
                    return found
                }
            }
            for try await _ in group {}
        }
        #expect(index.info.liveCount == 1000)
    }
}

#if canImport(Glibc)
    import Glibc
#endif
