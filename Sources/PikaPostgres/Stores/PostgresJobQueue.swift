import Foundation
import Logging
import PikaEngine
import PikaMemory

/// ``JobQueue`` on PostgreSQL, shared by every process of a deployment.
///
/// Same semantics as the SQLite queue: a user's jobs run one at a time in order, leases expire, failed
/// attempts are retried at the given time or dead-lettered, idempotency keys are unique per tenant.
/// Claims use `FOR UPDATE SKIP LOCKED`, so concurrent claimers in any number of processes never lease the
/// same job. Enqueueing sends `NOTIFY` on the queue's channel; ``waitForWork(timeout:)`` returns when
/// one arrives (a dedicated `LISTEN` connection), so idle workers wait instead of polling.
///
/// A lease is fenced by its attempt number (every claim increments it): the heartbeat's extension,
/// completion and failure change the job only while that attempt holds it, so a worker whose lease ran
/// out never records a result over the next owner's.
///
/// One difference: ``recoverOrphans(now:)`` requeues only jobs whose lease has run out, because another
/// live process may be working on the others.
public final class PostgresJobQueue: JobQueue {
    private let pool: PostgresPool
    private let channel: String
    private let wake = JobWakeSignal()
    private let listener: PostgresListener?

    /// Creates a queue on a migrated database; with `listen`, opens a `LISTEN` connection for wake-ups.
    public init(pool: PostgresPool, listen: Bool = true, logger: Logger = Logger(label: "pika.postgres.jobs")) {
        self.pool = pool
        // One channel per schema, so deployments (and tests) sharing a database do not wake each other.
        self.channel = "pika_jobs" + (pool.configuration.schema.map { "_\($0)" } ?? "")
        if listen {
            let wake = self.wake
            listener = PostgresListener(configuration: pool.configuration, channels: [channel], logger: logger) { _ in
                // A notification, or a (re)connection after which missed notifications must be assumed.
                wake.signal()
            }
        } else {
            listener = nil
        }
    }

    deinit { listener?.stop() }

    static let columns = """
        id, tenant, user_id, kind, payload, status, attempts, max_attempts, result, error, \
        \(epoch("created_at")), \(epoch("updated_at"))
        """

    /// See ``JobQueue/enqueue(_:idempotencyKey:)``.
    public func enqueue(_ job: JobRecord, idempotencyKey: String?) async throws -> (JobRecord, created: Bool) {
        let channel = self.channel
        return try await pool.storeTransaction { db throws(PostgresError) in
            let inserted = try db.query(
                """
                INSERT INTO jobs (id, tenant, user_id, kind, payload, status, attempts, max_attempts, run_after, lease_until,
                    idempotency_key, created_at, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9), to_timestamp($10), $11, to_timestamp($12), to_timestamp($13))
                ON CONFLICT (tenant, idempotency_key) DO NOTHING
                """,
                [
                    .text(job.id), .text(job.scope.tenant), .text(job.scope.userID), .text(job.kind), .text(job.payload),
                    .text(job.status.rawValue), .int(job.attempts), .int(job.maxAttempts), .date(job.createdAt),
                    job.status == .processing ? .date(job.createdAt.addingTimeInterval(300)) : .null,
                    .optional(idempotencyKey), .date(job.createdAt), .date(job.updatedAt),
                ])
            guard inserted.affectedRows == 0, let idempotencyKey else {
                // Delivered to listeners when this transaction commits.
                if job.status == .queued { try db.query("SELECT pg_notify($1, '')", [.text(channel)]) }
                return (job, true)
            }
            let rows = try db.query(
                "SELECT \(Self.columns) FROM jobs WHERE tenant = $1 AND idempotency_key = $2",
                [.text(job.scope.tenant), .text(idempotencyKey)]
            ).rows
            guard let first = rows.first else {
                throw PostgresError(.decoding, message: "idempotency key \(idempotencyKey) conflicted but no job holds it")
            }
            return (Self.decode(first), false)
        }
    }

    /// See ``JobQueue/claim(now:lease:)``.
    public func claim(now: Date, lease: Duration) async throws -> JobRecord? {
        let leaseSeconds = lease.inSeconds
        return try await pool.store { db throws(PostgresError) in
            // SKIP LOCKED: a job another claimer is leasing right now is passed over, never leased twice;
            // under READ COMMITTED the locked row's WHERE is re-checked, so a job leased by a claimer that
            // just committed no longer matches.
            try db.query(
                """
                WITH next AS (
                    SELECT j.seq FROM jobs j
                    WHERE j.status IN ('queued', 'processing') AND j.run_after <= to_timestamp($1)
                      AND (j.status = 'queued' OR j.lease_until < to_timestamp($1))
                      AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.tenant = j.tenant AND e.user_id = j.user_id
                                      AND e.seq < j.seq AND e.status IN ('queued', 'processing'))
                    ORDER BY j.seq LIMIT 1
                    FOR UPDATE SKIP LOCKED)
                UPDATE jobs SET status = 'processing', attempts = attempts + 1,
                    lease_until = to_timestamp($1) + make_interval(secs => $2), updated_at = to_timestamp($1)
                FROM next WHERE jobs.seq = next.seq
                RETURNING \(Self.columns)
                """, [.date(now), .double(leaseSeconds)]
            ).rows.first.map(Self.decode)
        }
    }

    /// See ``JobQueue/extendLease(id:attempt:lease:now:)``.
    public func extendLease(id: String, attempt: Int, lease: Duration, now: Date) async throws -> Bool {
        let leaseSeconds = lease.inSeconds
        return try await pool.store { db throws(PostgresError) in
            try db.query(
                """
                UPDATE jobs SET lease_until = to_timestamp($1) + make_interval(secs => $2)
                WHERE id = $3 AND status = 'processing' AND attempts = $4
                """, [.date(now), .double(leaseSeconds), .text(id), .int(attempt)]
            ).affectedRows == 1
        }
    }

    /// See ``JobQueue/complete(id:attempt:result:now:)``.
    @discardableResult
    public func complete(id: String, attempt: Int, result: String, now: Date) async throws -> Bool {
        let recorded = try await pool.store { db throws(PostgresError) in
            try db.query(
                """
                UPDATE jobs SET status = 'completed', result = $1, payload = '', error = NULL, lease_until = NULL,
                    updated_at = to_timestamp($2) WHERE id = $3 AND status = 'processing' AND attempts = $4
                """, [.text(result), .date(now), .text(id), .int(attempt)]
            ).affectedRows == 1
        }
        // The user's next job (if any) became claimable.
        wake.signal()
        return recorded
    }

    /// See ``JobQueue/forgetResult(id:)``.
    public func forgetResult(id: String) async throws {
        _ = try await pool.store { db throws(PostgresError) in
            try db.query("UPDATE jobs SET result = NULL WHERE id = $1 AND status = 'completed'", [.text(id)])
        }
    }

    /// See ``JobQueue/fail(id:attempt:error:retryAt:now:)``.
    @discardableResult
    public func fail(id: String, attempt: Int, error: String, retryAt: Date?, now: Date) async throws -> Bool {
        let recorded = try await pool.store { db throws(PostgresError) in
            if let retryAt {
                return try db.query(
                    """
                    UPDATE jobs SET status = 'queued', error = $1, run_after = to_timestamp($2), lease_until = NULL,
                        updated_at = to_timestamp($3) WHERE id = $4 AND status = 'processing' AND attempts = $5
                    """, [.text(error), .date(retryAt), .date(now), .text(id), .int(attempt)]
                ).affectedRows == 1
            }
            return try db.query(
                """
                UPDATE jobs SET status = 'failed', error = $1, lease_until = NULL, updated_at = to_timestamp($2)
                WHERE id = $3 AND status = 'processing' AND attempts = $4
                """, [.text(error), .date(now), .text(id), .int(attempt)]
            ).affectedRows == 1
        }
        wake.signal()
        return recorded
    }

    /// See ``JobQueue/job(id:tenant:)``.
    public func job(id: String, tenant: String) async throws -> JobRecord? {
        try await pool.store { db throws(PostgresError) in
            try db.query("SELECT \(Self.columns) FROM jobs WHERE id = $1 AND tenant = $2", [.text(id), .text(tenant)])
                .rows.first.map(Self.decode)
        }
    }

    /// See ``JobQueue/recoverOrphans(now:)``: only expired leases (other processes may hold live ones).
    public func recoverOrphans(now: Date) async throws -> Int {
        try await pool.store { db throws(PostgresError) in
            try db.query(
                """
                UPDATE jobs SET status = 'queued', lease_until = NULL, updated_at = to_timestamp($1)
                WHERE status = 'processing' AND lease_until < to_timestamp($1)
                """, [.date(now)]
            ).affectedRows
        }
    }

    /// See ``JobQueue/deleteScope(_:)``.
    public func deleteScope(_ scope: MemoryScope) async throws {
        try await pool.store { db throws(PostgresError) in
            try db.query("DELETE FROM jobs WHERE tenant = $1 AND user_id = $2", [.text(scope.tenant), .text(scope.userID)])
        }
    }

    /// See ``JobQueue/prune(finishedBefore:limit:)``.
    public func prune(finishedBefore cutoff: Date, limit: Int) async throws -> Int {
        try await pool.store { db throws(PostgresError) in
            try db.query(
                """
                DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
                    WHERE status IN ('completed', 'failed') AND updated_at < to_timestamp($1) LIMIT $2)
                """, [.date(cutoff), .int(limit)]
            ).affectedRows
        }
    }

    /// See ``JobQueue/counts()``.
    public func counts() async throws -> [JobStatus: Int] {
        try await pool.store { db throws(PostgresError) in
            var counts: [JobStatus: Int] = [:]
            // Kept by a trigger (PostgresSchema version 2): 64 counter rows, no scan of the jobs table.
            let sql = "SELECT status, SUM(count)::BIGINT FROM job_counts GROUP BY status HAVING SUM(count) > 0"
            for row in try db.query(sql).rows {
                if let status = JobStatus(rawValue: row.string(0) ?? "") { counts[status] = row.int(1) }
            }
            return counts
        }
    }

    /// See ``JobQueue/waitForWork(timeout:)``: returns at the next `NOTIFY` of an enqueue (in any process),
    /// a local completion, or after `timeout` (which still bounds how late a retry's `run_after` is noticed).
    public func waitForWork(timeout: Duration) async {
        await wake.wait(timeout: timeout)
    }

    static func decode(_ row: PostgresRow) -> JobRecord {
        JobRecord(
            id: row.string(0) ?? "", scope: MemoryScope(tenant: row.string(1) ?? "", userID: row.string(2) ?? ""),
            kind: row.string(3) ?? "", payload: row.string(4) ?? "", status: JobStatus(rawValue: row.string(5) ?? "") ?? .queued,
            attempts: row.int(6), maxAttempts: row.int(7), result: row.string(8), error: row.string(9),
            createdAt: row.date(10), updatedAt: row.date(11))
    }
}
