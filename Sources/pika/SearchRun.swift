import Dispatch
import PikaEngine
import PikaStorage
import Synchronization

/// Runs a file of queries against a data directory on several threads and times each search.
/// Labels are the records' ids read as integers (`index build` uses row numbers); the
/// search is ids-only (`DataDirectory.searchIDs`), so no other field of a record is decoded.
struct SearchRun {
    /// Top-k labels of every query, row-major, -1 in missing slots.
    var labels: [Int32]
    /// Each query's search time in microseconds.
    var latencies: [Double]
    /// Time from the first search to the last, in seconds.
    var wallSeconds: Double
    /// Queries the planner answered with an exact scan.
    var exactPlans: Int

    /// A query the engine refused (NaN in the file, a zero vector for cosine, ...).
    struct QueryFailure: Error {
        let row: Int
        let error: StorageError
    }

    /// Searches the `queries.count / dimension` rows of `queries` (read in place).
    static func execute(
        index: DataDirectory, queries: UnsafeBufferPointer<Float>, dimension: Int, tenants: [UInt32]?, k: Int, ef: Int,
        plan: SearchPlan, threads: Int
    ) throws(QueryFailure) -> SearchRun {
        let n = queries.count / dimension
        // k cannot exceed the index's size; the slots beyond stay -1.
        let effectiveK = min(k, index.count)
        var labels = [Int32](repeating: -1, count: n * k)
        var latencies = [Double](repeating: 0, count: n)
        var exact = [Bool](repeating: false, count: n)
        let failures = FirstFailure()
        let started = ContinuousClock.now
        labels.withUnsafeMutableBufferPointer { labelBuffer in
            latencies.withUnsafeMutableBufferPointer { latencyBuffer in
                exact.withUnsafeMutableBufferPointer { exactBuffer in
                    // Each worker writes only the rows i with i % threads == worker: no two touch one slot.
                    let slots = SharedSlots(queries: queries, labels: labelBuffer, latencies: latencyBuffer, exact: exactBuffer)
                    DispatchQueue.concurrentPerform(iterations: threads) { worker in
                        var options = RecordSearchOptions(k: max(effectiveK, 1), ef: max(ef, effectiveK))
                        options.plan = plan
                        // One result per worker, reused, so its buffers are not reallocated for every query.
                        var result = RecordIDSearch()
                        for row in stride(from: worker, to: n, by: threads) {
                            options.tenant = tenants?[row]
                            // The query is read in place.
                            let query = UnsafeBufferPointer(rebasing: slots.queries[(row * dimension)..<((row + 1) * dimension)])
                            let t0 = ContinuousClock.now
                            do throws(StorageError) {
                                guard effectiveK > 0 else { continue }  // empty: the row stays -1
                                try index.searchIDs(query, options: options, into: &result)
                            } catch {
                                failures.record(row: row, error: error)
                                continue
                            }
                            slots.latencies[row] = (ContinuousClock.now - t0).inMilliseconds * 1000
                            slots.exact[row] = !result.usedGraph
                            for (slot, hit) in result.hits.enumerated() {
                                slots.labels[row * k + slot] = Int32(hit.id) ?? -1
                            }
                        }
                    }
                }
            }
        }
        let wall = (ContinuousClock.now - started).inSeconds
        if let failure = failures.first { throw failure }
        return SearchRun(labels: labels, latencies: latencies, wallSeconds: wall, exactPlans: exact.filter { $0 }.count)
    }
}

/// The queries and the output buffers shared by the search workers.
private struct SharedSlots: @unchecked Sendable {
    // @unchecked: the buffers outlive the concurrentPerform call that uses them, the queries are
    // only read, and each worker writes a disjoint set of rows (row % threads == worker), so no
    // slot is ever written by two threads or read while written.
    let queries: UnsafeBufferPointer<Float>
    let labels: UnsafeMutableBufferPointer<Int32>
    let latencies: UnsafeMutableBufferPointer<Double>
    let exact: UnsafeMutableBufferPointer<Bool>
}

/// Remembers the lowest-numbered failing query across threads.
private final class FirstFailure: Sendable {
    private let failure = Mutex<SearchRun.QueryFailure?>(nil)

    func record(row: Int, error: StorageError) {
        failure.withLock { failure in
            if failure == nil || row < failure!.row { failure = .init(row: row, error: error) }
        }
    }

    var first: SearchRun.QueryFailure? { failure.withLock { $0 } }
}
