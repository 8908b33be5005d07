import Synchronization

/// How far the start-up build of the users' keyword indexes has got
/// (``MemoryManager/prebuildKeywordIndexes()``); `/readyz` reports it.
///
/// The service answers searches correctly at every stage: a user whose index is not built yet is
/// built on their first search, as before the prebuild existed. Until it finishes, such searches
/// are slower, and the prebuild itself takes CPU from the searches beside it.
public final class KeywordPrebuildProgress: Sendable {
    /// A snapshot of the progress.
    public struct Snapshot: Sendable, Equatable {
        /// Users the prebuild will consider (those the vector index was loaded with); 0 before it starts.
        public var users = 0
        /// Users whose index it built or found resident.
        public var built = 0
        /// Users it passed over: gone since the load, over the document capacity, or failed to read.
        public var skipped = 0
        /// Documents in the indexes it built.
        public var documents = 0
        /// Whether it started.
        public var started = false
        /// Whether it finished (a prebuild that finished is never restarted).
        public var finished = false
        /// Whether it stopped early because the store could not be read (the users it did not build
        /// are built on their first search; it is not retried).
        public var stopped = false
    }

    private let state = Mutex(Snapshot())

    /// Creates progress that has not started.
    public init() {}

    /// The progress now.
    public var snapshot: Snapshot { state.withLock { $0 } }

    func start(users: Int) {
        state.withLock {
            $0.started = true
            $0.users = users
        }
    }

    func built(documents: Int) {
        state.withLock {
            $0.built += 1
            $0.documents += documents
        }
    }

    func skipped() { state.withLock { $0.skipped += 1 } }

    func finish() { state.withLock { $0.finished = true } }

    func stop() { state.withLock { $0.stopped = true } }
}
