import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Group commit: writers append under the writer lock, then wait here until an fsync covers
/// their record. The first writer to wait while no fsync is running becomes the leader and
/// syncs at once, except that it first lets the writers that were already on their way when it
/// began waiting (counted by `beginWrite`/`endWrite`) finish appending, for at most `maxWait`;
/// writers arriving later, and those it synced coming back for more, join the next fsync. So a
/// lone writer pays one fsync per write (no sleeping out an interval), N concurrent writers
/// share each fsync, and a steady stream of writers never keeps a leader waiting out `maxWait`.
///
/// A failed fsync is never retried (``WALGuard``): the leader and every writer waiting for a
/// record it did not make durable throw the log's failure; records an earlier fsync covered stay
/// acknowledged.
///
/// The state sits in a `Mutex`; a writer that must wait parks on a ``Parker`` of its own,
/// registered in the state, and every change a waiter may wait for wakes all parked writers,
/// which then look again.
final class GroupCommit: Sendable {
    let maxWait: UInt64
    private let log: WALGuard
    private let state: Mutex<State>

    private struct State {
        var wal: WriteAheadLog
        var appended: UInt64
        var durable: UInt64
        var syncing = false
        /// Tickets of the writers between `beginWrite` and `endWrite`, and the last ticket handed out.
        var inFlight: Set<UInt64> = []
        var nextTicket: UInt64 = 0
        var syncs = 0
        /// Writers asleep until the next change.
        var parked: [Parker] = []

        /// Whether a writer that began at or before `ticket` is still appending.
        func appending(upTo ticket: UInt64) -> Bool { inFlight.contains { $0 <= ticket } }

        mutating func park(_ parker: Parker) {
            if !parked.contains(where: { $0 === parker }) { parked.append(parker) }
        }

        /// Wakes every parked writer; called after each change a waiter may be waiting for.
        mutating func wakeAll() {
            for parker in parked { parker.wake() }
            parked.removeAll()
        }
    }

    /// What a waiting writer does next, decided under the lock.
    private enum Step {
        case done
        case fail(StorageError)
        case sleep(until: UInt64?)
        case sync(target: UInt64, wal: WriteAheadLog)
    }

    init(maxWaitNanoseconds: UInt64, wal: WriteAheadLog, appended: UInt64, log: WALGuard) {
        maxWait = maxWaitNanoseconds
        self.log = log
        state = Mutex(State(wal: wal, appended: appended, durable: appended))
    }

    /// fsyncs made by group commit so far (tests check that writers share them).
    var syncCount: Int { state.withLock { $0.syncs } }

    /// A writer is about to take the writer lock and append; pass the ticket to ``endWrite(_:)``.
    func beginWrite() -> UInt64 {
        state.withLock { s in
            s.nextTicket += 1
            s.inFlight.insert(s.nextTicket)
            return s.nextTicket
        }
    }

    /// That writer has appended (or failed): a leader waiting for it may sync now.
    func endWrite(_ ticket: UInt64) {
        state.withLock { s in
            s.inFlight.remove(ticket)
            s.wakeAll()
        }
    }

    /// Called under the writer lock after an append, or when the log is replaced (seal).
    func appended(upTo lsn: UInt64, wal: WriteAheadLog) {
        state.withLock { s in
            s.wal = wal
            s.appended = lsn
        }
    }

    /// Called under the writer lock after the whole log was fsynced (seal, snapshot).
    func markDurable(_ lsn: UInt64) {
        state.withLock { s in
            s.durable = max(s.durable, lsn)
            s.wakeAll()
        }
    }

    /// Returns once `lsn` is durable.
    /// - Throws: `storageUnavailable` when an fsync failed before one covered `lsn`.
    func waitDurable(_ lsn: UInt64) throws(StorageError) {
        // Made on the first wait only: a lone writer leads at once and never sleeps.
        var parker: Parker?
        // Set while this writer leads: the last ticket it waits for and until when.
        var lead: (horizon: UInt64, deadline: UInt64)?
        while true {
            let step = state.withLock { s -> Step in
                func park() {
                    let p = parker ?? Parker()
                    parker = p
                    s.park(p)
                }
                if s.durable >= lsn { return .done }
                if let failure = log.failure { return .fail(failure) }
                if s.syncing {
                    // Follow that fsync; lead afresh if it does not cover `lsn`.
                    lead = nil
                    park()
                    return .sleep(until: nil)
                }
                // Lead: give the writers already appending a moment to join this fsync. Only
                // those in flight now: with many writers someone is always appending, and waiting
                // for newcomers too would hold every fsync for the whole `maxWait`.
                let now = monotonicNow()
                let (horizon, deadline) = lead ?? (s.nextTicket, now + maxWait)
                lead = (horizon, deadline)
                if s.appending(upTo: horizon) && now < deadline {
                    park()
                    return .sleep(until: deadline)
                }
                s.syncing = true
                return .sync(target: s.appended, wal: s.wal)
            }
            switch step {
            case .done:
                return
            case .fail(let failure):
                throw failure
            case .sleep(let deadline):
                parker?.sleep(until: deadline)
            case .sync(let target, let wal):
                let result = Result { () throws(StorageError) in try log.sync(wal) }
                state.withLock { s in
                    s.syncing = false
                    s.syncs += 1
                    if case .success = result { s.durable = max(s.durable, target) }
                    s.wakeAll()
                }
                try result.get()
                lead = nil
            }
        }
    }
}

/// One waiting thread's wake-up call: a flag and a condition variable that signals it.
///
/// The pthread mutex and condition live on the heap, allocated once: their address must never
/// change while another thread may use them, which a class's stored `var` does not promise.
final class Parker: @unchecked Sendable {
    // @unchecked: `mutex` and `condition` are set once in init and freed in deinit, when no
    // reference (hence no sleeper or waker) remains; pthread objects are made for use from many
    // threads; `woken` is read and written only with `mutex` held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var woken = false

    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        condition = .allocate(capacity: 1)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        pthread_cond_init(condition, &attributes)
        pthread_condattr_destroy(&attributes)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Wakes the sleeper, or makes its next ``sleep(until:)`` return at once.
    func wake() {
        pthread_mutex_lock(mutex)
        woken = true
        pthread_cond_signal(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Sleeps until woken or until `deadline` (``monotonicNow()`` nanoseconds) passes.
    func sleep(until deadline: UInt64?) {
        pthread_mutex_lock(mutex)
        if let deadline {
            var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
            while !woken && pthread_cond_timedwait(condition, mutex, &time) == 0 {}
        } else {
            while !woken { pthread_cond_wait(condition, mutex) }
        }
        woken = false
        pthread_mutex_unlock(mutex)
    }
}

/// CLOCK_MONOTONIC in nanoseconds.
func monotonicNow() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
