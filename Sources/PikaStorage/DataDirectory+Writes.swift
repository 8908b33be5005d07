#if canImport(Glibc)
import Glibc
#endif
import Synchronization

extension DataDirectory {
    /// Inserts a record, or replaces the live record with the same id. Returns once the
    /// write is durable under the durability policy (it is then acknowledged).
    /// - Throws: `dimensionMismatch`, `invalidVector`, `readOnly`, `io`.
    public func upsert(_ record: MemoryRecord, vector: [Float]) throws(StorageError) {
        try validate(vector)
        try write([.upsert(record, vector: vector)])
    }

    /// Inserts or replaces several records with one fsync: all are durable when it returns.
    public func upsert(_ records: [MemoryRecord], vectors: [[Float]]) throws(StorageError) {
        guard records.count == vectors.count else {
            throw StorageError(code: .invalidArgument, message: "\(records.count) records but \(vectors.count) vectors")
        }
        for v in vectors { try validate(v) }
        try write(zip(records, vectors).map { .upsert($0, vector: $1) })
    }

    /// Deletes the live record with `id`. Returns false (and logs nothing) when there is none.
    @discardableResult
    public func delete(id: String) throws(StorageError) -> Bool {
        guard record(id: id) != nil else { return false }
        try write([.delete(id: id)])
        return true
    }

    /// Deletes every live record among `ids` with one fsync; returns how many were live.
    @discardableResult
    public func delete(ids: [String]) throws(StorageError) -> Int {
        let live = ids.filter { record(id: $0) != nil }
        try write(live.map { .delete(id: $0) })
        return live.count
    }

    /// Logs, applies and (per the policy) syncs entries.
    func write(_ entries: [WALEntry]) throws(StorageError) {
        guard !entries.isEmpty else { return }
        let last = try writer.withLock { (w) throws(StorageError) -> UInt64 in
            guard let wal = w.wal else { throw StorageError(code: .readOnly, message: "opened read-only", path: path) }
            var bytes: [UInt8] = []
            var lsn = w.nextLSN
            for entry in entries {
                bytes.append(contentsOf: WALFormat.encode(lsn: lsn, entry))
                lsn += 1
            }
            try wal.append(bytes)
            if commit == nil { try wal.sync() }
            try state.withLock { (s) throws(StorageError) in
                for entry in entries { try s.apply(entry) }
            }
            w.nextLSN = lsn
            commit?.appended(upTo: lsn - 1, wal: wal)
            return lsn - 1
        }
        try commit?.waitDurable(last)
        if options.sealThreshold > 0, state.withLock({ $0.growing.count }) >= options.sealThreshold {
            // Seal only if no other maintenance runs; otherwise the next write tries again.
            let idle = maintenance.withLockIfAvailable { _ in true } ?? false
            if idle { try seal() }
        }
    }
}

/// Group commit: writers append under the writer lock, then wait here; one of them fsyncs
/// the log at most once per interval, which makes every record appended so far durable.
final class GroupCommit: Sendable {
    struct Tail: Sendable {
        var wal: WriteAheadLog
        var appended: UInt64
    }

    struct Progress: Sendable {
        var durable: UInt64
        var lastSync: UInt64
    }

    let interval: UInt64
    /// The current log and the last LSN appended to it (a leaf lock, held briefly).
    private let tail: Mutex<Tail>
    /// Held by the waiter that syncs; others queue behind it.
    private let progress: Mutex<Progress>

    init(intervalNanoseconds: UInt64, wal: WriteAheadLog, appended: UInt64) {
        interval = intervalNanoseconds
        tail = Mutex(Tail(wal: wal, appended: appended))
        progress = Mutex(Progress(durable: appended, lastSync: 0))
    }

    /// Called under the writer lock after an append.
    func appended(upTo lsn: UInt64, wal: WriteAheadLog) {
        tail.withLock { $0 = Tail(wal: wal, appended: lsn) }
    }

    /// Called under the writer lock after the whole log was fsynced (seal, snapshot).
    func markDurable(_ lsn: UInt64) {
        progress.withLock { $0.durable = max($0.durable, lsn) }
    }

    /// Returns once `lsn` is durable.
    func waitDurable(_ lsn: UInt64) throws(StorageError) {
        try progress.withLock { (p) throws(StorageError) in
            if p.durable >= lsn { return }
            let now = monotonicNow()
            if p.lastSync + interval > now {
                let wait = p.lastSync + interval - now
                var ts = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
                var left = timespec()
                while nanosleep(&ts, &left) != 0 && errno == EINTR { ts = left }
            }
            let t = tail.withLock { $0 }
            try t.wal.sync()
            p.durable = max(p.durable, t.appended)
            p.lastSync = monotonicNow()
        }
    }
}

func monotonicNow() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
