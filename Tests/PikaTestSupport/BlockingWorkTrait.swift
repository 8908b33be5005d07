import Testing

/// Runs each test of a suite (or one test) on a serial dispatch queue of its own, off Swift's cooperative pool.
///
/// Swift Testing runs test bodies on the cooperative pool, which has one thread per core. A synchronous
/// test that fsyncs, waits for a child process or computes for seconds holds one of those threads until
/// it returns; on a two-core machine two such tests stall every other test of the parallel run, trivial
/// ones included, and hang guards of 10-30 s fire for nothing. Under this trait the test keeps its task
/// (so `#expect` and task-locals work as usual) but its jobs run on a ``SerialQueueExecutor``.
///
/// Jobs of the test's child tasks (`async let`, task groups) inherit the executor and so run one at a
/// time: a test whose children block waiting for each other must not use this trait.
public struct BlockingWorkTrait: SuiteTrait, TestTrait, TestScoping {
    /// Applies to every test of a suite it is attached to, nested suites included.
    public var isRecursive: Bool { true }

    /// A scope for each test case; none for a suite as a whole (its tests get their own).
    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        testCase == nil ? nil : self
    }

    /// Runs `function` with a new ``SerialQueueExecutor`` as its task executor preference.
    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        let executor = SerialQueueExecutor(label: "pika.test.\(test.name)")
        try await withTaskExecutorPreference(executor) { try await function() }
    }
}

extension Trait where Self == BlockingWorkTrait {
    /// The test (or every test of the suite) blocks or computes for long: run it off the cooperative pool.
    public static var blockingWork: Self { Self() }
}
