import PikaEngine
import PikaStorage

#if canImport(Glibc)
    import Glibc
#endif

/// `StorageBench user-reads DATADIR [rounds=3]`: the memory service's per-user reads on a service
/// data directory's `memories/` (e.g. a copy of one `Benchmarks/service/run.sh --seed-only` made),
/// old way against new, alternating per user, thread CPU time per call:
/// - the user's records by 10 labels: the whole block decoded and filtered (`records(tenant:)`)
///   against the block skimmed (`records(tenant:selecting: .labels)`);
/// - the same-slot lookup (`.attribute("favorite_color")`) and the summary's slots
///   (`.attributePrefixes(["favorite_", "pref:"])`), skimmed, against the whole block;
/// - a vector search of 100 hits reading 10 records: `searchReport` (100 decoded) against
///   `searchLazily` (10 decoded).
/// Checks that each pair selects the same records, and prints p50 µs per call and per round.
enum UserReadsBench {
    static func run(_ args: [String]) throws {
        var ro = OpenOptions()
        ro.readOnly = true
        let store = try DataDirectory.open(at: args[0], options: ro)
        store.prefault()
        let rounds = args.count > 1 ? Int(args[1])! : 3
        let tenants = store.liveCounts().keys.sorted()
        let dimension = store.configuration.dimension
        var timings: [String: [Double]] = [:]
        func time<T>(_ name: String, _ body: () throws -> T) rethrows -> T {
            let t0 = threadCPUSeconds()
            let result = try body()
            timings[name, default: []].append((threadCPUSeconds() - t0) * 1e6)
            return result
        }
        for round in 1...rounds {
            timings = [:]
            var mismatches = 0
            for tenant in tenants {
                let block = try time("block_decode") { try store.records(tenant: tenant) }
                let labels = Set(block.prefix(10).map(\.label))
                let byLabel = try time("labels_skim") { try store.records(tenant: tenant, selecting: .labels(labels)) }
                if Set(byLabel.map(\.id)) != Set(block.filter { labels.contains($0.label) }.map(\.id)) { mismatches += 1 }
                let slot = try time("attribute_skim") { try store.records(tenant: tenant, selecting: .attribute("favorite_color")) }
                if slot.count != block.filter({ $0.attribute == "favorite_color" }).count { mismatches += 1 }
                let slots = try time("summary_slots_skim") {
                    try store.records(tenant: tenant, selecting: .attributePrefixes(["favorite_", "pref:"]))
                }
                if slots.count != block.filter({ $0.attribute.map { $0.hasPrefix("favorite_") || $0.hasPrefix("pref:") } ?? false }).count {
                    mismatches += 1
                }
                var query = [Float](repeating: 0, count: dimension)
                for i in 0..<dimension { query[i] = Float((Int(tenant) &* 31 &+ i &* 7) % 13) - 6 }
                let options = RecordSearchOptions(k: 100, tenant: tenant)
                let full = try time("search_100_decoded") { try store.searchReport(query, options: options).hits }
                let deferred = try time("search_100_read_10") { () throws(StorageError) -> [StoredRecord] in
                    let hits = try store.searchLazily(query, options: options)
                    var read: [StoredRecord] = []
                    for hit in hits.prefix(10) { read.append(try hit.record()) }
                    return read
                }
                if deferred.map(\.id) != full.prefix(10).map(\.record.id) { mismatches += 1 }
            }
            var line = #"{"bench":"user-reads","round":\#(round),"users":\#(tenants.count),"mismatches":\#(mismatches)"#
            for name in timings.keys.sorted() {
                line += #","\#(name)_p50_us":\#(StorageBench.percentile(timings[name]!.sorted(), 0.5))"#
            }
            print(line + #","load":\#(StorageBench.loadAverage())}"#)
        }
    }

    /// CPU seconds of the calling thread.
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}
