import Dispatch

/// A task executor backed by a serial dispatch queue of its own.
///
/// A serial queue made without a target runs on libdispatch's overcommit pool, which starts another
/// thread whenever all of its threads are busy. Work run here can therefore block (fsync, waitpid,
/// semaphores) or compute for seconds without taking one of the cooperative pool's threads, of which
/// there are only as many as cores (two on the CI machine).
public final class SerialQueueExecutor: TaskExecutor {
    private static let labelKey = DispatchSpecificKey<String>()
    private let queue: DispatchQueue

    /// An executor whose queue is called `label` (it shows in thread dumps).
    public init(label: String) {
        queue = DispatchQueue(label: label)
        queue.setSpecific(key: Self.labelKey, value: label)
    }

    /// The label of the executor whose queue runs the caller, nil elsewhere (on the cooperative pool).
    public static var currentLabel: String? { DispatchQueue.getSpecific(key: labelKey) }

    /// Runs `job` on the queue, one job after another.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
