import PikaEngine
import PikaStorage

/// `StorageBench tenant-search DATADIR QUERIES.fbin QUERY_TENANTS.u32bin [rounds=3]`: per-tenant
/// exact searches of an existing data directory (e.g. realistic-1m from `pika index build`),
/// alternating, round by round, the full search as `pika index search` called it before
/// (a copied query, `searchReport`, whole records decoded) and the ids-only search it calls
/// now (`searchIDs`, query in place, buffers reused). Checks that both give the same ids and
/// prints p50/p99 µs of each per round with the load average.
enum TenantSearchBench {
    static func run(_ args: [String]) throws {
        var ro = OpenOptions()
        ro.readOnly = true
        let store = try DataDirectory.open(at: args[0], options: ro)
        store.prefault()
        let queries = try BinaryMatrixFile.readFloats(args[1])
        let tenants = try BinaryMatrixFile.readUInt32Column(args[2])
        let rounds = args.count > 3 ? Int(args[3])! : 3
        var full = [Double](repeating: 0, count: queries.rows)
        var ids = full
        var result = RecordIDSearch()
        for round in 1...rounds {
            var differing = 0
            for path in ["full", "ids"] {
                try queries.values.withUnsafeBufferPointer { all in
                    for row in 0..<queries.rows {
                        var options = RecordSearchOptions(k: 10, ef: 64, tenant: tenants[row])
                        options.plan = .exact
                        if path == "full" {
                            let query = Array(queries.row(row))
                            let t0 = StorageBench.now()
                            let hits = try store.searchReport(query, options: options).hits
                            full[row] = (StorageBench.now() - t0) * 1e6
                            ids[row] = Double(hits.first.map { Int($0.record.id) ?? -1 } ?? -1)  // compared below
                        } else {
                            let query = UnsafeBufferPointer(rebasing: all[(row * queries.columns)..<((row + 1) * queries.columns)])
                            let t0 = StorageBench.now()
                            try store.searchIDs(query, options: options, into: &result)
                            let elapsed = (StorageBench.now() - t0) * 1e6
                            if Double(result.hits.first.map { Int($0.id) ?? -1 } ?? -1) != ids[row] { differing += 1 }
                            ids[row] = elapsed
                        }
                    }
                }
            }
            let f = full.sorted()
            let i = ids.sorted()
            print(
                #"{"bench":"tenant-search","round":\#(round),"queries":\#(queries.rows),"full_p50_us":\#(StorageBench.percentile(f, 0.5)),"full_p99_us":\#(StorageBench.percentile(f, 0.99)),"ids_p50_us":\#(StorageBench.percentile(i, 0.5)),"ids_p99_us":\#(StorageBench.percentile(i, 0.99)),"top1_differing":\#(differing),"load":\#(StorageBench.loadAverage())}"#
            )
        }
    }
}
