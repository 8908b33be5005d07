import Foundation
import Logging
import PikaEmbeddings
import PikaMemory
import PikaService
import Synchronization
import Testing

/// The rule extractor behind a delay, counting its calls and the calls cancelled while waiting.
final class SlowExtractor: FactExtractor {
    let delay: Duration
    let calls = Atomic<Int>(0)
    let cancelled = Atomic<Int>(0)
    var name: String { "slow-rules" }

    init(delay: Duration) { self.delay = delay }

    func extract(_ messages: [ConversationMessage]) async throws(MemoryError) -> [ExtractedFact] {
        calls.add(1, ordering: .relaxed)
        do {
            try await Task.sleep(for: delay)
        } catch {
            cancelled.add(1, ordering: .relaxed)
            throw MemoryError(.unavailable, "extraction cancelled")
        }
        return try await RuleExtractor().extract(messages)
    }
}

/// Job leases on the embedded queue: the heartbeat renews a long job's lease, and a worker whose lease
/// was taken over stops and records nothing.
@Suite("JobLease heartbeat and fencing", .serialized)
struct JobLeaseTests {
    @Test("a job three times longer than its lease is renewed by its heartbeat and run once, with two workers idle beside it")
    func heartbeatKeepsALongJob() async throws {
        let extractor = SlowExtractor(delay: .seconds(3))
        try await ServiceHarness.run(workers: 3, extractor: extractor, configure: { $0.jobLeaseSeconds = 1 }) { client in
            let accepted = try await client.call(.post, "/v1/memories", json: #"{"messages":"My favorite color is teal","user_id":"u1"}"#)
            #expect(accepted.status == .accepted)
            let id = try #require(accepted["job_id"]?.stringValue ?? accepted["id"]?.stringValue)
            var job = try await client.call(.get, "/v1/jobs/\(id)")
            let deadline = ContinuousClock.now + .seconds(20)
            while job["status"]?.stringValue != "completed" && job["status"]?.stringValue != "failed" {
                try #require(ContinuousClock.now < deadline, "job \(id) did not finish within 20 s: \(job.text)")
                try await Task.sleep(for: .milliseconds(50))
                job = try await client.call(.get, "/v1/jobs/\(id)")
            }
            #expect(job["status"]?.stringValue == "completed", "\(job.text)")
            #expect(job["attempts"]?.numberValue == 1, "no second claim while the heartbeat held the lease: \(job.text)")
            #expect(extractor.calls.load(ordering: .relaxed) == 1)
            let list = try await client.call(.get, "/v1/memories?user_id=u1")
            #expect(list.results.compactMap { $0["memory"]?.stringValue } == ["Favorite color is teal"], "\(list.text)")
        }
    }

    @Test("a worker whose lease another claim took over cancels its work and records nothing over the new owner's result")
    func lostLeaseIsNotRecorded() async throws {
        let extractor = SlowExtractor(delay: .seconds(5))
        var configuration = ServiceHarness.configuration(workers: 0)
        configuration.jobLeaseSeconds = 1
        var logger = Logger(label: "pika-test")
        logger.logLevel = .critical
        let server = try await PikaServer.make(
            configuration: configuration, logger: logger, embedder: try HashingEmbedder(), extractor: extractor)
        let deps = server.dependencies
        #expect(deps.runner.lease == .seconds(1), "PIKA_JOB_LEASE_SECONDS reaches the runner")
        try await server.application.test(.live) { client in
            let accepted = try await client.call(.post, "/v1/memories", json: #"{"messages":"My favorite color is red","user_id":"u1"}"#)
            let id = try #require(accepted["job_id"]?.stringValue ?? accepted["id"]?.stringValue)
            let stale = try #require(try await deps.jobs.claim(now: Date(), lease: .seconds(1)))
            #expect(stale.id == id)
            let worker = Task { await deps.runner.process(stale) }
            // Another claim takes the job over as if the lease had run out (a clock 10 s ahead).
            try await Task.sleep(for: .milliseconds(100))
            let owner = try #require(try await deps.jobs.claim(now: Date().addingTimeInterval(10), lease: .seconds(60)))
            #expect(owner.attempts == stale.attempts + 1)
            await worker.value
            // The extraction takes 5 s unless cancelled: cancelled means the heartbeat noticed the lost lease.
            #expect(extractor.cancelled.load(ordering: .relaxed) == 1, "the stale worker's extraction was cancelled")
            let running = try #require(try await deps.jobs.job(id: id, tenant: "default"))
            #expect(running.status == .processing && running.result == nil && running.error == nil, "nothing recorded: \(running)")
            #expect(try await deps.jobs.complete(id: id, attempt: owner.attempts, result: #"{"results":[]}"#, now: Date()))
            let done = try await client.call(.get, "/v1/jobs/\(id)")
            #expect(done["status"]?.stringValue == "completed" && done["attempts"]?.numberValue == Double(owner.attempts))
            let list = try await client.call(.get, "/v1/memories?user_id=u1")
            #expect(list.results.isEmpty, "the stale worker wrote no memory: \(list.text)")
        }
    }
}
