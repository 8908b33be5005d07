extension DataDirectory {
    /// Inserts a record, or replaces the live record with the same id. Returns once the
    /// write is durable under the durability policy (it is then acknowledged).
    /// - Throws: `dimensionMismatch`, `invalidVector`, `readOnly`, `io`, `noSpace`, and
    ///   `storageUnavailable` once an fsync of the log failed (``writeFailure``).
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

    /// Why writes are refused, or nil while the directory is healthy (or opened read-only).
    ///
    /// Set for good by a failed fsync of the write-ahead log (or a failed append that could not
    /// be cut back): every later write throws this error, code `storageUnavailable`, until the
    /// directory is closed and reopened. Reads and searches go on. A service answers writes with
    /// 503 and reports it on its readiness check. See docs/storage.md, "Write failures".
    public var writeFailure: StorageError? { walGuard.failure }

    /// Logs, applies and (per the policy) syncs entries; returns the last entry's LSN.
    /// - Throws: `readOnly`, `io` or `noSpace` when the append failed (nothing of it is
    ///   logged), `storageUnavailable` once an fsync failed (for the write whose fsync failed and
    ///   every later one).
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
    ///
    /// LSNs handed out are spent even when the append fails: the guard has cut the log back, so
    /// none of them is in it, and skipping them keeps every LSN in the log's history unique
    /// (recovery needs them increasing, not consecutive).
    private func append(_ entries: [WALEntry]) throws(StorageError) -> UInt64 {
        try writer.withLock { (w) throws(StorageError) -> UInt64 in
            guard let wal = w.wal else { throw StorageError(code: .readOnly, message: "opened read-only", path: path) }
            var bytes: [UInt8] = []
            var lsn = w.nextLSN
            for entry in entries {
                bytes.append(contentsOf: WALFormat.encode(lsn: lsn, entry))
                lsn += 1
            }
            w.nextLSN = lsn
            try walGuard.append(bytes, to: wal)
            if commit == nil { try walGuard.sync(wal) }
            try state.withLock { (s) throws(StorageError) in
                for entry in entries { try s.apply(entry) }
            }
            commit?.appended(upTo: lsn - 1, wal: wal)
            return lsn - 1
        }
    }
}
