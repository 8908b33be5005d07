// Storage benchmarks (docs/benchmarks.md, "Storage"): ingest with fsync per write and with
// group commit, open time, snapshot time and size, rebuild time, and search speed before and
// after compaction. Prints one JSON object per measurement.
// Usage: StorageBench WORKDIR [rows=100000] [dim=384] [tenants=100]
#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import PikaEngine
import PikaStorage

@main
struct StorageBench {
    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

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

    static func record(_ i: Int, tenants: Int) -> MemoryRecord {
        MemoryRecord(
            id: "r\(i)", tenant: UInt32(i % tenants), userID: "user-\(i % tenants)", text: "memory number \(i) about something",
            metadataJSON: #"{"i":\#(i)}"#, createdAt: 1_700_000_000_000, updatedAt: 1_700_000_000_000, provenance: "bench")
    }

    static func dirBytes(_ path: String) -> Int {
        guard let dir = opendir(path) else { return 0 }
        defer { closedir(dir) }
        var total = 0
        while let e = readdir(dir) {
            let name = withUnsafePointer(to: e.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            var st = stat()
            if stat(path + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { total += Int(st.st_size) }
        }
        return total
    }

    static func percentile(_ xs: [Double], _ p: Double) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s[min(s.count - 1, Int(p * Double(s.count)))]
    }

    static func main() throws {
        let args = CommandLine.arguments
        guard args.count >= 2 else {
            print("usage: StorageBench WORKDIR [rows] [dim] [tenants]")
            exit(2)
        }
        let work = args[1]
        let rows = args.count > 2 ? Int(args[2])! : 100_000
        let dim = args.count > 3 ? Int(args[3])! : 384
        let tenants = args.count > 4 ? Int(args[4])! : 100
        mkdir(work, 0o755)
        BLASThreads.set(1)
        let config = CollectionConfiguration(dimension: dim, metric: .cosine, embedder: "bench")
        let data = vectors(rows, dim, seed: 7)
        let queries = vectors(200, dim, seed: 99)

        // 1. Ingest: fsync per write (one writer), group commit (4 writers, 5 ms).
        do {
            let n = min(rows, 5_000)
            let path = work + "/ingest-fsync"
            let store = try DataDirectory.create(at: path, configuration: config)
            let t0 = now()
            for i in 0..<n { try store.upsert(record(i, tenants: tenants), vector: Array(data[(i * dim)..<((i + 1) * dim)])) }
            let s = now() - t0
            print(#"{"bench":"ingest","policy":"fsync-per-write","writers":1,"records":\#(n),"seconds":\#(s),"records_per_s":\#(Double(n) / s)}"#)
        }
        do {
            let n = min(rows, 20_000)
            var options = OpenOptions()
            options.durability = .groupCommit(milliseconds: 5)
            let path = work + "/ingest-group"
            let store = try DataDirectory.create(at: path, configuration: config, options: options)
            let t0 = now()
            DispatchQueue.concurrentPerform(iterations: 4) { w in
                for i in stride(from: w, to: n, by: 4) {
                    try! store.upsert(record(i, tenants: tenants), vector: Array(data[(i * dim)..<((i + 1) * dim)]))
                }
            }
            let s = now() - t0
            print(#"{"bench":"ingest","policy":"group-commit-5ms","writers":4,"records":\#(n),"seconds":\#(s),"records_per_s":\#(Double(n) / s)}"#)
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
        print(#"{"bench":"open","rows":\#(rows),"dim":\#(dim),"warm_page_cache":true,"median_ms":\#(percentile(opens, 0.5)),"min_ms":\#(opens.min()!)}"#)

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
                try f.bulkLoad(range.map { record($0, tenants: tenants) }, vectors: Array(data[(range.lowerBound * dim)..<(range.upperBound * dim)]), threads: 2)
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
