#if canImport(Glibc)
import Glibc
#endif
import Synchronization

extension DataDirectory {
    /// Inserts a record, or replaces the live record with the same id. Returns once the
    /// write is durable under the durability policy (it is then acknowledged).
    /// - Throws: `dimensionMismatch`, `invalidVector`, `readOnly`, `io`.
    public func upsert(_ record: StoredRecord, vector: [Float]) throws(StorageError) {
        try validate(vector)
        try write([.upsert(record, vector: vector)])
    }

    /// Inserts or replaces several records with one fsync: all are durable when it returns.
    public func upsert(_ records: [StoredRecord], vectors: [[Float]]) throws(StorageError) {
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

    /// Logs, applies and (per the policy) syncs entries; returns the last entry's LSN.
    @discardableResult
    func write(_ entries: [WALEntry]) throws(StorageError) -> UInt64 {
        guard !entries.isEmpty else { return lastLSN }
        // Counted as appending until the record is in the log, so a group-commit leader can
        // wait for it to join the next fsync.
        let ticket = commit?.beginWrite()
        let appended = Result { () throws(StorageError) -> UInt64 in try append(entries) }
        if let ticket { commit?.endWrite(ticket) }
        let last = try appended.get()
        try commit?.waitDurable(last)
        if options.sealThreshold > 0, state.withLock({ $0.growing.count }) >= options.sealThreshold {
            // Seal only if no other maintenance runs; otherwise the next write tries again.
            let idle = maintenance.withLockIfAvailable { _ in true } ?? false
            if idle { try seal() }
        }
        return last
    }

    /// Appends entries to the log under the writer lock (fsyncing them unless group commit
    /// does) and applies them; returns the last LSN.
    private func append(_ entries: [WALEntry]) throws(StorageError) -> UInt64 {
        try writer.withLock { (w) throws(StorageError) -> UInt64 in
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
    }
}

/// Group commit: writers append under the writer lock, then wait here until an fsync covers
/// their record. The first writer to wait while no fsync is running becomes the leader and
/// syncs at once, except that it first lets the writers that were already on their way when it
/// began waiting (counted by `beginWrite`/`endWrite`) finish appending, for at most `maxWait`;
/// writers arriving later, and those it synced coming back for more, join the next fsync. So a
/// lone writer pays one fsync per write (no sleeping out an interval), N concurrent writers
/// share each fsync, and a steady stream of writers never keeps a leader waiting out `maxWait`.
final class GroupCommit: @unchecked Sendable {
    // @unchecked: every stored var is read and written only with `lock` held; `maxWait`
    // is immutable. The fsync itself runs without the lock.
    let maxWait: UInt64
    private var lock = pthread_mutex_t()
    private var changed = pthread_cond_t()
    private var wal: WriteAheadLog
    private var appended: UInt64
    private var durable: UInt64
    private var syncing = false
    /// Tickets of the writers between `beginWrite` and `endWrite`, and the next ticket to hand out.
    private var inFlight: Set<UInt64> = []
    private var nextTicket: UInt64 = 0
    private var syncs = 0

    init(maxWaitNanoseconds: UInt64, wal: WriteAheadLog, appended: UInt64) {
        maxWait = maxWaitNanoseconds
        self.wal = wal
        self.appended = appended
        durable = appended
        pthread_mutex_init(&lock, nil)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(&changed, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(&changed)
        pthread_mutex_destroy(&lock)
    }

    private func locked<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return try body()
    }

    /// fsyncs made by group commit so far (tests check that writers share them).
    var syncCount: Int { locked { syncs } }

    /// A writer is about to take the writer lock and append; pass the ticket to ``endWrite(_:)``.
    func beginWrite() -> UInt64 {
        locked {
            nextTicket += 1
            inFlight.insert(nextTicket)
            return nextTicket
        }
    }

    /// That writer has appended (or failed): a leader waiting for it may sync now.
    func endWrite(_ ticket: UInt64) {
        locked {
            inFlight.remove(ticket)
            pthread_cond_broadcast(&changed)
        }
    }

    /// Whether a writer that began at or before `ticket` is still appending (lock held).
    private func appending(upTo ticket: UInt64) -> Bool {
        inFlight.contains { $0 <= ticket }
    }

    /// Called under the writer lock after an append, or when the log is replaced (seal).
    func appended(upTo lsn: UInt64, wal: WriteAheadLog) {
        locked {
            self.wal = wal
            appended = lsn
        }
    }

    /// Called under the writer lock after the whole log was fsynced (seal, snapshot).
    func markDurable(_ lsn: UInt64) {
        locked {
            durable = max(durable, lsn)
            pthread_cond_broadcast(&changed)
        }
    }

    /// Returns once `lsn` is durable.
    func waitDurable(_ lsn: UInt64) throws(StorageError) {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        while durable < lsn {
            if syncing {
                pthread_cond_wait(&changed, &lock)
                continue
            }
            // Lead: give the writers already appending a moment to join this fsync. Only those
            // in flight now: with many writers someone is always appending, and waiting for
            // newcomers too would hold every fsync for the whole `maxWait`.
            let horizon = nextTicket
            var deadline = monotonicTimespec(plus: maxWait)
            while appending(upTo: horizon) && !syncing && pthread_cond_timedwait(&changed, &lock, &deadline) == 0 {}
            // Another waiter may have started the fsync while this one waited: follow it.
            if durable >= lsn || syncing { continue }
            syncing = true
            let target = appended
            let log = wal
            pthread_mutex_unlock(&lock)
            let result = Result { () throws(StorageError) in try log.sync() }
            pthread_mutex_lock(&lock)
            syncing = false
            syncs += 1
            pthread_cond_broadcast(&changed)
            try result.get()
            durable = max(durable, target)
        }
    }
}

private func monotonicTimespec(plus nanoseconds: UInt64) -> timespec {
    let t = monotonicNow() + nanoseconds
    return timespec(tv_sec: Int(t / 1_000_000_000), tv_nsec: Int(t % 1_000_000_000))
}

func monotonicNow() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
