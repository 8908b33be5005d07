import Dispatch
import Synchronization

/// Checkpoints a database's write-ahead log on a connection and queue of its own, so no commit waits
/// for one.
///
/// SQLite's automatic checkpoint runs inside the commit that pushes the log past 1,000 frames: that
/// commit copies the log's pages into the database file and fsyncs it before returning, and every
/// caller queued behind it on the write queue waits too (tens of milliseconds on a large file, the
/// write path's worst stalls under the service load benchmark). The writer's commit hook
/// (``SQLiteConnection/onCommit(walFrames:)``, which replaces the automatic checkpoint) calls
/// ``committed(walFrames:writer:)``; past ``threshold`` frames that schedules a passive checkpoint
/// here, which runs beside later commits and reads (WAL allows that) and never blocks them.
///
/// The log file is only rewound (reused from its start) by a write that begins when every frame in
/// it has been copied, which a checkpoint running beside a steady stream of commits never achieves:
/// alone, the log would grow without bound. So the first commit after a background pass finishes
/// runs a passive checkpoint on the writer itself, as SQLite's automatic one would, but it only has
/// the few frames committed during that pass left to copy; the next write then rewinds the log.
/// Durability is untouched: a commit is durable once its log frames are synced (`synchronous=FULL`),
/// and a checkpoint syncs the log before copying and the database file after.
///
/// `@unchecked Sendable` is safe: the connection is touched only inside blocks of `queue`, a serial
/// queue, and the other state is atomics.
final class SQLiteCheckpointer: @unchecked Sendable {
    private let connection: SQLiteConnection
    private let queue = DispatchQueue(label: "pika.sqlite.checkpoint")
    /// Set while a checkpoint is scheduled or running: commits in the meantime schedule nothing more.
    private let scheduled = Atomic<Bool>(false)
    /// Set when a background pass has finished and the writer has not yet copied what followed it.
    private let passFinished = Atomic<Bool>(false)
    /// Log frames past which a checkpoint is scheduled (SQLite's own default is 1,000).
    let threshold: Int

    /// Opens a connection of its own to `path`.
    init(path: String, threshold: Int) throws(SQLiteError) {
        self.connection = try SQLiteConnection(path: path)
        self.threshold = max(1, threshold)
    }

    /// Told by the writer's commit hook, on the write queue, once the log holds `walFrames` frames:
    /// past ``threshold``, finishes a completed background pass on `writer` (the frames since it) or
    /// schedules one. Never waits for the background connection.
    func committed(walFrames: Int, writer: SQLiteConnection) {
        guard walFrames >= threshold else {
            // Below the threshold after a pass means the log was rewound: nothing is left to finish,
            // and finishing later would copy a whole new log inside a commit.
            passFinished.store(false, ordering: .relaxed)
            return
        }
        if passFinished.exchange(false, ordering: .acquiringAndReleasing) {
            // A failure (another process checkpointing, say) leaves the log as it is: the next commit
            // past the threshold tries again, as SQLite's own automatic checkpoint would.
            _ = try? writer.checkpoint()
            return
        }
        guard !scheduled.exchange(true, ordering: .acquiringAndReleasing) else { return }
        queue.async { [self] in
            _ = try? connection.checkpoint()
            passFinished.store(true, ordering: .releasing)
            scheduled.store(false, ordering: .releasing)
        }
    }

    /// Returns once every checkpoint scheduled before the call has finished (tests, shutdown).
    func drain() async {
        await withCheckedContinuation { continuation in queue.async { continuation.resume() } }
    }
}
