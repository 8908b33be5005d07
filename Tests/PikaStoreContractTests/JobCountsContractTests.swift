import Foundation
import Logging
import PikaMemory
import PikaPostgres
import PikaRelational
import Testing

/// ``JobQueue/counts()`` (what `/metrics` reports) reads counters the database keeps on every write,
/// not a count of the jobs table, on both back-ends.
@Suite("Job counts")
struct JobCountsContractTests {
    private func job(_ id: String, user: String) -> JobRecord {
        JobRecord(
            id: id, scope: MemoryScope(tenant: "t1", userID: user), kind: "add", payload: "{}", maxAttempts: 1, createdAt: t0,
            updatedAt: t0)
    }

    @Test("counts come from the kept counters, which follow every status change", arguments: StoreBackend.allCases)
    func countsReadTheCounters(_ backend: StoreBackend) async throws {
        try await StoreFixture.with(backend) { stores in
            let queue = stores.jobs()
            for (n, user) in ["u1", "u2", "u3"].enumerated() { _ = try await queue.enqueue(job("j\(n)", user: user), idempotencyKey: nil) }
            let first = try #require(try await queue.claim(now: t0 + 1, lease: .seconds(60)))
            let second = try #require(try await queue.claim(now: t0 + 1, lease: .seconds(60)))
            try await queue.complete(id: first.id, attempt: first.attempts, result: "[]", now: t0 + 2)
            try await queue.fail(id: second.id, attempt: second.attempts, error: "bad", retryAt: nil, now: t0 + 2)
            #expect(try await queue.counts() == [.queued: 1, .completed: 1, .failed: 1])
            // A counter moved by hand shows in counts(): they are read, not recounted from the table.
            let stripe = backend == .postgres ? " AND stripe = 0" : ""
            try await stores.execute("UPDATE job_counts SET count = count + 1000 WHERE status = 'queued'\(stripe)")
            #expect(try await queue.counts()[.queued] == 1001)
        }
    }

    @Test("a database migrated with jobs already in it starts with their counts", arguments: StoreBackend.allCases)
    func migrationCountsExistingJobs(_ backend: StoreBackend) async throws {
        switch backend {
        case .sqlite:
            let path = NSTemporaryDirectory() + "pika-job-counts-" + UUID().uuidString + ".sqlite"
            defer { try? FileManager.default.removeItem(atPath: path) }
            let before = try SQLiteDatabase(path: path, migrations: Array(RelationalSchema.migrations.dropLast()))
            try await enqueueAndFinishOne(SQLiteJobQueue(database: before))
            let after = try RelationalSchema.open(path: path)
            #expect(try await SQLiteJobQueue(database: after).counts() == [.queued: 2, .completed: 1])
        case .postgres:
            let schema = try await PostgresTestSchema.create()
            do {
                let pool = schema.pool()
                try await PostgresMigrator.migrate(pool, PostgresSchema.migrations.filter { $0.version == 1 })
                let queue = PostgresJobQueue(pool: pool, logger: Logger(label: "pika-test"))
                try await enqueueAndFinishOne(queue)
                #expect(try await PostgresSchema.migrate(pool) == [2])
                #expect(try await queue.counts() == [.queued: 2, .completed: 1])
                try await schema.drop()
            } catch {
                try? await schema.drop()
                throw error
            }
        }
    }

    private func enqueueAndFinishOne(_ queue: any JobQueue) async throws {
        for (n, user) in ["u1", "u2", "u3"].enumerated() { _ = try await queue.enqueue(job("m\(n)", user: user), idempotencyKey: nil) }
        let claimed = try #require(try await queue.claim(now: t0 + 1, lease: .seconds(60)))
        try await queue.complete(id: claimed.id, attempt: claimed.attempts, result: "[]", now: t0 + 2)
    }
}
