import Dispatch
import PikaEngine
import PikaStorage

// Storage benchmarks (docs/benchmarks.md, "Storage"): ingest with fsync per write and with
// group commit, open time, snapshot time and size, rebuild time, and search speed before and
// after compaction. Prints one JSON object per measurement.
// Usage:
//   StorageBench WORKDIR [rows=100000] [dim=384] [tenants=100]   everything, on generated data
//   StorageBench ingest WORKDIR [writers=4] [records=4000] [rounds=2]
//       fsync per write and group commit with the same writers, alternating, `rounds` times
//   StorageBench open DATADIR [opens=10]
//       open time of an existing data directory (e.g. from `pika index build`), read-only,
//       after one untimed open that warms the page cache
//   StorageBench tenant-search DATADIR QUERIES.fbin QUERY_TENANTS.u32bin [rounds=3]
//       per-tenant exact searches: the full search against the ids-only one, alternating
//   StorageBench user-reads DATADIR [rounds=3]
//       the memory service's per-user reads, whole-block decode against skimming (UserReadsBench)
#if canImport(Glibc)
    import Glibc
#endif

@main
struct StorageBench {
    /// Seconds on a monotonic clock (differences only).
    static func now() -> Double { (ContinuousClock.now - origin).inSeconds }
    private static let origin = ContinuousClock.now

    /// Seeded unit vectors around 64 centres.
    static func vectors(_ n: Int, _ dim: Int, seed: UInt64) -> [Float] {
        var s = seed | 1
        func next() -> Float {
            s ^= s >> 12
            s ^= s << 25
            s ^= s >> 27
            return Float((s &* 2_685_821_657_736_338_717) >> 40) / Float(1 << 24) - 0.5
        }
        let centres = (0..<(64 * dim)).map { _ in next() }
        var out = [Float](repeating: 0, count: n * dim)
        for i in 0..<n {
            let c = i % 64
            var norm: Float = 0
            for j in 0..<dim {
                let v = centres[c * dim + j] + 0.3 * next()
                out[i * dim + j] = v
                norm += v * v
            }
            let scale = 1 / norm.squareRoot()
            for j in 0..<dim { out[i * dim + j] *= scale }
        }
        return out
    }

    static func record(_ i: Int, tenants: Int) -> StoredRecord {
        StoredRecord(
            id: "r\(i)", tenant: UInt32(i % tenants), userID: "user-\(i % tenants)", text: "memory number \(i) about something",
            metadataJSON: #"{"i":\#(i)}"#, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000, provenance: "bench")
    }

    static func dirBytes(_ path: String) -> Int { (try? POSIX.regularFileBytes(in: path)) ?? 0 }

    static func percentile(_ xs: [Double], _ p: Double) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s[min(s.count - 1, Int(p * Double(s.count)))]
    }

    /// `writers` threads upsert `records` records between them under `policy`; prints the rate.
    static func ingest(
        at path: String, policy: DurabilityPolicy, writers: Int, records n: Int, config: CollectionConfiguration, data: [Float],
        tenants: Int
    ) throws {
        let dim = config.dimension
        var options = OpenOptions()
        options.durability = policy
        let store = try DataDirectory.create(at: path, configuration: config, options: options)
        let t0 = now()
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            for i in stride(from: w, to: n, by: writers) {
                try! store.upsert(record(i, tenants: tenants), vector: Array(data[(i * dim)..<((i + 1) * dim)]))
            }
        }
        let s = now() - t0
        let name =
            switch policy {
            case .groupCommit(let ms): "group-commit-\(ms)ms"
            case .everyWrite: "fsync-per-write"
            }
        print(
            #"{"bench":"ingest","policy":"\#(name)","writers":\#(writers),"records":\#(n),"seconds":\#(s),"records_per_s":\#(Double(n) / s),"load":\#(loadAverage())}"#
        )
    }

    static func loadAverage() -> Double {
        var load = [Double](repeating: 0, count: 3)
        return getloadavg(&load, 3) > 0 ? load[0] : -1
    }

    static func removeTree(_ path: String) {
        for name in (try? POSIX.list(path)) ?? [] { unlink(path + "/" + name) }
        rmdir(path)
    }

    static func ingestOnly(_ args: [String]) throws {
        let work = args[0]
        let writers = args.count > 1 ? Int(args[1])! : 4
        let n = args.count > 2 ? Int(args[2])! : 4_000
        let rounds = args.count > 3 ? Int(args[3])! : 2
        mkdir(work, 0o755)
        let config = CollectionConfiguration(dimension: 384, metric: .cosine, embedder: "bench")
        let data = vectors(n, 384, seed: 7)
        for round in 0..<rounds {
            for policy in [DurabilityPolicy.everyWrite, .groupCommit(milliseconds: 5)] {
                let path = work + "/ingest-\(round)-\(policy == .everyWrite ? "fsync" : "group")"
                removeTree(path)
                try ingest(at: path, policy: policy, writers: writers, records: n, config: config, data: data, tenants: 100)
                removeTree(path)
            }
        }
    }

    static func openOnly(_ args: [String]) throws {
        let path = args[0]
        let count = args.count > 1 ? Int(args[1])! : 10
        var ro = OpenOptions()
        ro.readOnly = true
        let rows = try DataDirectory.open(at: path, options: ro).count  // warms the page cache
        var opens: [Double] = []
        for _ in 0..<count {
            let t0 = now()
            let store = try DataDirectory.open(at: path, options: ro)
            opens.append((now() - t0) * 1000)
            precondition(store.count == rows)
        }
        print(
            #"{"bench":"open","dir":"\#(path)","rows":\#(rows),"warm_page_cache":true,"opens":\#(count),"median_ms":\#(percentile(opens, 0.5)),"min_ms":\#(opens.min()!),"max_ms":\#(opens.max()!),"load":\#(loadAverage())}"#
        )
    }

    static func main() throws {
        let args = CommandLine.arguments
        guard args.count >= 2 else {
            print("usage: StorageBench WORKDIR [rows] [dim] [tenants] | ingest WORKDIR [writers] [records] [rounds] | open DATADIR [opens]")
            exit(2)
        }
        BLASThreads.set(1)
        if args[1] == "ingest", args.count >= 3 { return try ingestOnly(Array(args[2...])) }
        if args[1] == "open", args.count >= 3 { return try openOnly(Array(args[2...])) }
        if args[1] == "tenant-search", args.count >= 5 { return try TenantSearchBench.run(Array(args[2...])) }
        if args[1] == "user-reads", args.count >= 3 { return try UserReadsBench.run(Array(args[2...])) }
        let work = args[1]
        let rows = args.count > 2 ? Int(args[2])! : 100_000
        let dim = args.count > 3 ? Int(args[3])! : 384
        let tenants = args.count > 4 ? Int(args[4])! : 100
        mkdir(work, 0o755)
        let config = CollectionConfiguration(dimension: dim, metric: .cosine, embedder: "bench")
        let data = vectors(rows, dim, seed: 7)
        let queries = vectors(200, dim, seed: 99)

        // 1. Ingest: fsync per write and group commit, 4 writers each.
        let n = min(rows, 4_000)
        for policy in [DurabilityPolicy.everyWrite, .groupCommit(milliseconds: 5)] {
            try ingest(
                at: work + "/ingest-\(policy == .everyWrite ? "fsync" : "group")", policy: policy, writers: 4, records: n,
                config: config, data: data, tenants: tenants)
        }

        // 2. Bulk load (sealed segment + graph), open time.
        let path = work + "/bulk"
        do {
            let store = try DataDirectory.create(at: path, configuration: config)
            let t0 = now()
            try store.bulkLoad((0..<rows).map { record($0, tenants: tenants) }, vectors: data, threads: 2)
            print(#"{"bench":"bulk-load","rows":\#(rows),"dim":\#(dim),"threads":2,"seconds":\#(now() - t0),"bytes":\#(dirBytes(path))}"#)
        }
        var opens: [Double] = []
        for _ in 0..<5 {
            var ro = OpenOptions()
            ro.readOnly = true
            let t0 = now()
            let store = try DataDirectory.open(at: path, options: ro)
            opens.append((now() - t0) * 1000)
            _ = store.count
        }
        print(
            #"{"bench":"open","rows":\#(rows),"dim":\#(dim),"warm_page_cache":true,"median_ms":\#(percentile(opens, 0.5)),"min_ms":\#(opens.min()!)}"#
        )

        // 3. Snapshot and restore.
        do {
            let store = try DataDirectory.open(at: path)
            let t0 = now()
            let info = try store.snapshot(to: work + "/bulk.pikasnap")
            let s = now() - t0
            let t1 = now()
            try DataDirectory.restore(from: work + "/bulk.pikasnap", to: work + "/restored", force: true)
            print(#"{"bench":"snapshot","rows":\#(rows),"create_s":\#(s),"restore_s":\#(now() - t1),"bytes":\#(info.bytes)}"#)

            // 4. Rebuild.
            let t2 = now()
            try store.rebuild(threads: 2)
            print(#"{"bench":"rebuild","rows":\#(rows),"threads":2,"seconds":\#(now() - t2)}"#)

            // 5. Search before and after compaction: 10 segments, 20% deleted.
            func measure(_ label: String, _ store: DataDirectory) throws {
                try store.loadGraphs()
                var tenantLat: [Double] = []
                var globalLat: [Double] = []
                for (qi, q) in stride(from: 0, to: queries.count, by: dim).enumerated() {
                    let query = Array(queries[q..<(q + dim)])
                    var t = now()
                    _ = try store.search(query, options: RecordSearchOptions(k: 10, tenant: UInt32(qi % tenants)))
                    tenantLat.append((now() - t) * 1e6)
                    t = now()
                    _ = try store.search(query, options: RecordSearchOptions(k: 10, ef: 64))
                    globalLat.append((now() - t) * 1e6)
                }
                let st = store.stats()
                print(
                    #"{"bench":"search","phase":"\#(label)","segments":\#(st.segments.count),"tombstones":\#(st.tombstones),"#
                        + #""tenant_p50_us":\#(percentile(tenantLat, 0.5)),"tenant_p99_us":\#(percentile(tenantLat, 0.99)),"#
                        + #""global_p50_us":\#(percentile(globalLat, 0.5)),"global_p99_us":\#(percentile(globalLat, 0.99))}"#)
            }
            let fragmented = work + "/fragmented"
            let f = try DataDirectory.create(at: fragmented, configuration: config)
            let per = rows / 10
            for s in 0..<10 {
                let range = (s * per)..<((s + 1) * per)
                try f.bulkLoad(
                    range.map { record($0, tenants: tenants) }, vectors: Array(data[(range.lowerBound * dim)..<(range.upperBound * dim)]),
                    threads: 2)
            }
            try f.delete(ids: stride(from: 0, to: rows, by: 5).map { "r\($0)" })
            try f.seal()
            try measure("before-compaction", f)
            let t3 = now()
            try f.compact(threads: 2)
            print(#"{"bench":"compact","rows":\#(rows),"seconds":\#(now() - t3)}"#)
            try measure("after-compaction", f)
        }
    }
}
