import Foundation
import PikaMemory
import Synchronization
import Testing

/// ``JobQueue``: the same behaviour on SQLite and PostgreSQL.
@Suite("JobQueue contract")
struct JobQueueContractTests {
    private func job(_ id: String, user: String, tenant: String = "t1", at seconds: Double = 0, maxAttempts: Int = 3) -> JobRecord {
        JobRecord(
            id: id, scope: MemoryScope(tenant: tenant, userID: user), kind: "add", payload: #"{"text":"\#(id)"}"#,
            maxAttempts: maxAttempts, createdAt: t0 + seconds, updatedAt: t0 + seconds)
    }

    @Test("an enqueued job reads back whole, only inside its tenant", arguments: StoreBackend.allCases)
    func roundTrip(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let queue = stores.jobs()
            let original = job("j1", user: "u1")
            let (stored, created) = try await queue.enqueue(original, idempotencyKey: nil)
            #expect(created && stored == original)
            #expect(try await queue.job(id: "j1", tenant: "t1") == original)
            #expect(try await queue.job(id: "j1", tenant: "t2") == nil)
            #expect(try await queue.counts() == [.queued: 1])
        }
    }

    @Test("an idempotency key returns the first job within a tenant, not across tenants", arguments: StoreBackend.allCases)
    func idempotency(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let queue = stores.jobs()
            let first = try await queue.enqueue(job("j1", user: "u1"), idempotencyKey: "k")
            let again = try await queue.enqueue(job("j2", user: "u1", at: 1), idempotencyKey: "k")
            #expect(first.created && !again.created)
            #expect(again.0.id == "j1" && again.0.payload == first.0.payload)
            #expect(try await queue.job(id: "j2", tenant: "t1") == nil)
            let otherTenant = try await queue.enqueue(job("j3", user: "u1", tenant: "t2"), idempotencyKey: "k")
            #expect(otherTenant.created && otherTenant.0.id == "j3")
            let unkeyed = try await queue.enqueue(job("j4", user: "u1"), idempotencyKey: nil)
            #expect(unkeyed.created)
        }
    }

    @Test("a user's jobs are claimed one at a time in order; other users go ahead", arguments: StoreBackend.allCases)
    func perUserOrder(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let queue = stores.jobs()
            for (id, user) in [("a1", "a"), ("a2", "a"), ("b1", "b"), ("a3", "a")] {
                _ = try await queue.enqueue(job(id, user: user), idempotencyKey: nil)
            }
            let now = t0 + 10
            let first = try #require(try await queue.claim(now: now, lease: .seconds(60)))
            #expect(first.id == "a1" && first.status == .processing && first.attempts == 1)
            #expect(try await queue.claim(now: now, lease: .seconds(60))?.id == "b1")
            #expect(try await queue.claim(now: now, lease: .seconds(60)) == nil, "a2 waits for a1")
            try await queue.complete(id: "a1", attempt: 1, result: "[]", now: now)
            #expect(try await queue.claim(now: now, lease: .seconds(60))?.id == "a2")
            try await queue.complete(id: "a2", attempt: 1, result: "[]", now: now)
            #expect(try await queue.claim(now: now, lease: .seconds(60))?.id == "a3")
            let done = try #require(try await queue.job(id: "a1", tenant: "t1"))
            #expect(done.status == .completed && done.result == "[]" && done.updatedAt == now)
            #expect(try await queue.counts() == [.completed: 2, .processing: 2])
        }
    }

    @Test("an expired lease makes the job claimable again; a live one does not", arguments: StoreBackend.allCases)
    func leaseExpiry(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let queue = stores.jobs()
            _ = try await queue.enqueue(job("j1", user: "u1"), idempotencyKey: nil)
            #expect(try await queue.claim(now: t0, lease: .seconds(30))?.id == "j1")
            #expect(try await queue.claim(now: t0 + 29, lease: .seconds(30)) == nil)
            let retaken = try #require(try await queue.claim(now: t0 + 31, lease: .seconds(30)))
            #expect(retaken.id == "j1" && retaken.attempts == 2)
            // Start-up recovery puts a job whose lease ran out back in the queue.
            #expect(try await queue.recoverOrphans(now: t0 + 100) == 1)
            #expect(try await queue.job(id: "j1", tenant: "t1")?.status == .queued)
        }
    }

    @Test("the heartbeat extends only the holding attempt's lease; a lost lease is reported", arguments: StoreBackend.allCases)
    func leaseExtension(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let queue = stores.jobs()
            _ = try await queue.enqueue(job("j1", user: "u1"), idempotencyKey: nil)
            let held = try #require(try await queue.claim(now: t0, lease: .seconds(30)))
            #expect(try await queue.extendLease(id: "j1", attempt: held.attempts, lease: .seconds(30), now: t0 + 20))
            #expect(try await queue.claim(now: t0 + 45, lease: .seconds(30)) == nil, "extended to t0 + 50")
            #expect(
                try await queue.extendLease(id: "j1", attempt: held.attempts + 1, lease: .seconds(30), now: t0 + 21) == false,
                "an attempt that never claimed the job holds no lease")
            #expect(try await queue.extendLease(id: "nope", attempt: 1, lease: .seconds(30), now: t0 + 21) == false)
            let retaken = try #require(try await queue.claim(now: t0 + 51, lease: .seconds(30)))
            #expect(retaken.attempts == held.attempts + 1)
            #expect(
                try await queue.extendLease(id: "j1", attempt: held.attempts, lease: .seconds(30), now: t0 + 52) == false,
                "the first worker's lease is lost once another claim took the job")
            #expect(try await queue.complete(id: "j1", attempt: retaken.attempts, result: "[]", now: t0 + 53))
            #expect(
                try await queue.extendLease(id: "j1", attempt: retaken.attempts, lease: .seconds(30), now: t0 + 54) == false,
                "a completed job holds no lease")
        }
    }

    @Test(
        "completion and failure are fenced: a worker whose lease passed on cannot overwrite the new owner's outcome",
        arguments: StoreBackend.allCases)
    func fencedOutcome(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let queue = stores.jobs()
            _ = try await queue.enqueue(job("j1", user: "u1"), idempotencyKey: nil)
            _ = try await queue.enqueue(job("j2", user: "u1", at: 1), idempotencyKey: nil)
            let stale = try #require(try await queue.claim(now: t0, lease: .seconds(10)))
            let owner = try #require(try await queue.claim(now: t0 + 11, lease: .seconds(10)))
            #expect(owner.id == "j1" && owner.attempts == stale.attempts + 1)
            // While the new owner works, the stale worker's outcomes are refused and change nothing.
            #expect(try await queue.complete(id: "j1", attempt: stale.attempts, result: "stale", now: t0 + 12) == false)
            #expect(try await queue.fail(id: "j1", attempt: stale.attempts, error: "stale", retryAt: t0 + 13, now: t0 + 12) == false)
            #expect(try await queue.fail(id: "j1", attempt: stale.attempts, error: "stale", retryAt: nil, now: t0 + 12) == false)
            let running = try #require(try await queue.job(id: "j1", tenant: "t1"))
            #expect(running.status == .processing && running.result == nil && running.error == nil)
            #expect(try await queue.claim(now: t0 + 12, lease: .seconds(10)) == nil, "j2 still waits behind j1")
            #expect(try await queue.complete(id: "j1", attempt: owner.attempts, result: "owner", now: t0 + 14))
            // Once completed, a late stale completion does not overwrite it either.
            #expect(try await queue.complete(id: "j1", attempt: stale.attempts, result: "stale", now: t0 + 15) == false)
            #expect(try await queue.complete(id: "j1", attempt: owner.attempts, result: "again", now: t0 + 15) == false)
            let done = try #require(try await queue.job(id: "j1", tenant: "t1"))
            #expect(done.status == .completed && done.result == "owner" && done.updatedAt == t0 + 14)
            // A job requeued by start-up recovery is no longer held by the attempt that had it.
            let next = try #require(try await queue.claim(now: t0 + 15, lease: .seconds(10)))
            #expect(next.id == "j2")
            #expect(try await queue.recoverOrphans(now: t0 + 30) == 1)
            #expect(try await queue.complete(id: "j2", attempt: next.attempts, result: "late", now: t0 + 31) == false)
            #expect(try await queue.job(id: "j2", tenant: "t1")?.status == .queued)
        }
    }

    @Test("a failed attempt is retried at its time, then dead-lettered with its error", arguments: StoreBackend.allCases)
    func retriesAndDeadLetter(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let queue = stores.jobs()
            _ = try await queue.enqueue(job("j1", user: "u1"), idempotencyKey: nil)
            _ = try await queue.enqueue(job("j2", user: "u1", at: 1), idempotencyKey: nil)
            #expect(try await queue.claim(now: t0, lease: .seconds(60))?.id == "j1")
            try await queue.fail(id: "j1", attempt: 1, error: "embedder down", retryAt: t0 + 10, now: t0 + 1)
            let waiting = try #require(try await queue.job(id: "j1", tenant: "t1"))
            #expect(waiting.status == .queued && waiting.error == "embedder down")
            #expect(try await queue.claim(now: t0 + 5, lease: .seconds(60)) == nil, "j1 backs off; j2 waits behind it")
            #expect(try await queue.claim(now: t0 + 10, lease: .seconds(60))?.attempts == 2)
            try await queue.fail(id: "j1", attempt: 2, error: "still down", retryAt: nil, now: t0 + 11)
            let dead = try #require(try await queue.job(id: "j1", tenant: "t1"))
            #expect(dead.status == .failed && dead.error == "still down" && dead.attempts == 2)
            #expect(try await queue.claim(now: t0 + 12, lease: .seconds(60))?.id == "j2", "a dead job no longer blocks its user")
            #expect(try await queue.counts() == [.failed: 1, .processing: 1])
        }
    }

    @Test("a job created processing (a synchronous add) is not claimed while its request runs", arguments: StoreBackend.allCases)
    func synchronousJob(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let queue = stores.jobs()
            var running = job("s1", user: "u1")
            running.status = .processing
            running.attempts = 1
            _ = try await queue.enqueue(running, idempotencyKey: nil)
            _ = try await queue.enqueue(job("s2", user: "u1", at: 1), idempotencyKey: nil)
            #expect(try await queue.claim(now: t0 + 2, lease: .seconds(60)) == nil)
            try await queue.complete(id: "s1", attempt: 1, result: "[]", now: t0 + 3)
            #expect(try await queue.claim(now: t0 + 3, lease: .seconds(60))?.id == "s2")
        }
    }

    @Test(
        "completion releases the payload; forgetting a result clears a completed job's result only",
        arguments: StoreBackend.allCases)
    func releasesText(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let queue = stores.jobs()
            _ = try await queue.enqueue(job("r1", user: "u1"), idempotencyKey: nil)
            _ = try await queue.enqueue(job("r2", user: "u2"), idempotencyKey: nil)
            let first = try #require(try await queue.claim(now: t0 + 1, lease: .seconds(60)))
            try await queue.complete(id: first.id, attempt: first.attempts, result: #"{"results":[]}"#, now: t0 + 2)
            let done = try #require(try await queue.job(id: first.id, tenant: "t1"))
            #expect(done.status == .completed && done.payload.isEmpty && done.result == #"{"results":[]}"#)
            try await queue.forgetResult(id: first.id)
            #expect(try await queue.job(id: first.id, tenant: "t1")?.result == nil)
            let other = first.id == "r1" ? "r2" : "r1"
            try await queue.forgetResult(id: other)  // not completed: nothing changes
            let waiting = try #require(try await queue.job(id: other, tenant: "t1"))
            #expect(waiting.status == .queued && waiting.payload == #"{"text":"\#(other)"}"#)
        }
    }

    @Test(
        "pruning deletes finished jobs older than the cutoff, in batches, never a queued or recent one",
        arguments: StoreBackend.allCases)
    func prune(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let queue = stores.jobs()
            for (n, user) in ["u1", "u2", "u3", "u4"].enumerated() {
                _ = try await queue.enqueue(job("p\(n + 1)", user: user, at: Double(n)), idempotencyKey: nil)
            }
            #expect(try await queue.claim(now: t0 + 5, lease: .seconds(60))?.id == "p1")
            try await queue.complete(id: "p1", attempt: 1, result: "[]", now: t0 + 10)
            #expect(try await queue.claim(now: t0 + 20, lease: .seconds(60))?.id == "p2")
            try await queue.fail(id: "p2", attempt: 1, error: "bad input", retryAt: nil, now: t0 + 100)
            #expect(try await queue.claim(now: t0 + 200, lease: .seconds(60))?.id == "p3")
            try await queue.complete(id: "p3", attempt: 1, result: "[]", now: t0 + 1_000)
            #expect(try await queue.prune(finishedBefore: t0 + 500, limit: 1) == 1)
            #expect(try await queue.prune(finishedBefore: t0 + 500, limit: 10) == 1)
            #expect(try await queue.prune(finishedBefore: t0 + 500, limit: 10) == 0)
            #expect(try await queue.job(id: "p1", tenant: "t1") == nil)
            #expect(try await queue.job(id: "p2", tenant: "t1") == nil)
            #expect(try await queue.job(id: "p3", tenant: "t1")?.status == .completed, "finished after the cutoff")
            #expect(try await queue.job(id: "p4", tenant: "t1")?.status == .queued, "never finished")
            #expect(try await queue.counts() == [.completed: 1, .queued: 1], "pruned jobs leave the counts")
        }
    }

    @Test("deleting a scope removes its jobs only", arguments: StoreBackend.allCases)
    func deleteScope(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let queue = stores.jobs()
            _ = try await queue.enqueue(job("j1", user: "u1"), idempotencyKey: "k1")
            _ = try await queue.enqueue(job("j2", user: "u2"), idempotencyKey: nil)
            _ = try await queue.enqueue(job("j3", user: "u1", tenant: "t2"), idempotencyKey: nil)
            try await queue.deleteScope(MemoryScope(tenant: "t1", userID: "u1"))
            #expect(try await queue.job(id: "j1", tenant: "t1") == nil)
            #expect(try await queue.job(id: "j2", tenant: "t1") != nil)
            #expect(try await queue.job(id: "j3", tenant: "t2") != nil)
            // The deleted job's idempotency key is free again.
            #expect(try await queue.enqueue(job("j4", user: "u1"), idempotencyKey: "k1").created)
            #expect(try await queue.counts() == [.queued: 3], "deleted jobs leave the counts")
        }
    }

    @Test(
        "concurrent claimers never lease one job twice, and each user's jobs stay in order",
        arguments: StoreBackend.allCases)
    func concurrentClaimers(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend, poolSize: 8) { stores in
            let queue = stores.jobs()
            let users = 12
            let perUser = 5
            for index in 0..<perUser {
                for user in 0..<users {
                    _ = try await queue.enqueue(job("u\(user)-\(index)", user: "u\(user)", at: Double(index)), idempotencyKey: nil)
                }
            }
            // Eight claimers lease, "work" and complete until the queue is empty; the log records claims
            // in the order they happened (appended before the job is completed).
            let log = ClaimLog()
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        var mine: [String] = []
                        var idle = 0
                        while idle < 3 {
                            guard let leased = try await queue.claim(now: t0 + 100, lease: .seconds(600)) else {
                                idle += 1
                                try await Task.sleep(for: .milliseconds(20))
                                continue
                            }
                            idle = 0
                            mine.append(leased.id)
                            log.append(leased.id)
                            try await queue.complete(id: leased.id, attempt: leased.attempts, result: "[]", now: t0 + 100)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(claimed.count == users * perUser)
            #expect(Set(claimed).count == claimed.count, "no job was leased twice")
            #expect(try await queue.counts() == [.completed: users * perUser])
            for user in 0..<users {
                let order = log.entries.withLock { $0 }.filter { $0.hasPrefix("u\(user)-") }
                #expect(order == (0..<perUser).map { "u\(user)-\($0)" }, "user \(user)'s jobs ran in order")
            }
        }
    }
}

/// Claims in the order they happened, across tasks.
final class ClaimLog: Sendable {
    let entries = Mutex<[String]>([])
    func append(_ id: String) { entries.withLock { $0.append(id) } }
}

extension Date {
    static func + (date: Date, seconds: Double) -> Date { date.addingTimeInterval(seconds) }
}
