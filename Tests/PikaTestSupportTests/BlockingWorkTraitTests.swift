import PikaTestSupport
import Testing

/// `.blockingWork` moves a test's body off the cooperative pool onto a queue of its own; `onOwnThread`
/// runs a blocking closure on a thread of its own.
@Suite("Blocking work off the cooperative pool")
struct BlockingWorkTraitTests {
    @Test(.blockingWork) func aBlockingWorkTestRunsOnItsOwnQueue() async throws {
        #expect(SerialQueueExecutor.currentLabel == "pika.test.aBlockingWorkTestRunsOnItsOwnQueue()")
        try await Task.sleep(for: .milliseconds(1))
        #expect(SerialQueueExecutor.currentLabel == "pika.test.aBlockingWorkTestRunsOnItsOwnQueue()", "resumed elsewhere")
    }

    @Test func aPlainTestRunsOnTheCooperativePool() {
        #expect(SerialQueueExecutor.currentLabel == nil)
    }

    @Test(.blockingWork, arguments: [1, 2]) func eachCaseOfAParameterizedTestGetsAQueue(_ value: Int) {
        #expect(SerialQueueExecutor.currentLabel?.hasPrefix("pika.test.eachCaseOfAParameterizedTestGetsAQueue") == true)
    }

    @Test func onOwnThreadReturnsTheResultAndRethrows() async throws {
        #expect(try await onOwnThread { SerialQueueExecutor.currentLabel == nil ? 42 : 0 } == 42)
        await #expect(throws: Refusal.self) { try await onOwnThread { () throws -> Int in throw Refusal() } }
    }

    private struct Refusal: Error {}
}

/// A suite-level `.blockingWork` reaches every test of the suite.
@Suite("Blocking work on a whole suite", .blockingWork)
struct BlockingWorkSuiteTests {
    @Test func theSuitesTestsRunOnTheirOwnQueues() {
        #expect(SerialQueueExecutor.currentLabel == "pika.test.theSuitesTestsRunOnTheirOwnQueues()")
    }
}
