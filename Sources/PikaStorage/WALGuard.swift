import Synchronization

/// The one path of every append to and fsync of the write-ahead log after open, so that a
/// failed one is handled in one place.
///
/// - A failed append cuts the log back to its last whole record: the next record must not
///   follow a torn one (recovery stops at the torn record and would drop everything after it),
///   nor leave the failed batch's whole records behind for recovery to resurrect.
/// - A failed fsync poisons the log for good. Linux reports a writeback error to one fsync and
///   then forgets it, so a retried fsync "succeeds" without the lost pages: after one failure no
///   later fsync can prove anything, and every write is refused with `storageUnavailable` until
///   the directory is reopened (recovery then reads what really is on disk). A failed cut-back
///   poisons too, since the log may end in a torn record.
///
/// fsyncs are serialised (a group-commit leader and a seal or snapshot may sync at once), so that
/// one that fails is recorded before another can report success for the same pages.
final class WALGuard: Sendable {
    let faults: WALFaults
    private let poisoned = Mutex<StorageError?>(nil)
    private let syncing = Mutex<Void>(())

    init(faults: WALFaults) { self.faults = faults }

    /// Why writes are refused, or nil while the log is healthy.
    var failure: StorageError? { poisoned.withLock { $0 } }

    /// Appends `bytes` to `wal` (not yet durable). On failure nothing of them remains in the log.
    /// - Throws: the append's error (`io`, `noSpace`), or `storageUnavailable` once poisoned.
    func append(_ bytes: [UInt8], to wal: WriteAheadLog) throws(StorageError) {
        if let failure { throw failure }
        do throws(StorageError) {
            try wal.append(bytes, fault: faults.inject(.write))
        } catch {
            do throws(StorageError) {
                try wal.cutBack()
            } catch let cut {
                throw poison("a failed append could not be cut back (\(error.message)): \(cut.message)", path: cut.path)
            }
            throw error
        }
    }

    /// Makes everything appended to `wal` durable.
    /// - Throws: `storageUnavailable` if this or an earlier fsync failed.
    func sync(_ wal: WriteAheadLog) throws(StorageError) {
        try syncing.withLock { (_) throws(StorageError) in
            if let failure { throw failure }
            do throws(StorageError) {
                try wal.sync(fault: faults.inject(.sync))
            } catch {
                throw poison(error.message, path: error.path)
            }
        }
    }

    /// Refuses every later write; returns the refusal (the first cause wins).
    func poison(_ cause: String, path: String?) -> StorageError {
        poisoned.withLock { failure in
            if let failure { return failure }
            let refusal = StorageError(
                code: .storageUnavailable, message: "writes refused until the data directory is reopened: \(cause)", path: path)
            failure = refusal
            return refusal
        }
    }
}
