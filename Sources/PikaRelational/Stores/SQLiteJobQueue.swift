import Foundation
import PikaEngine
import PikaMemory

/// ``JobQueue`` on SQLite.
///
/// A job is committed (fsync, WAL) before its 202 is sent. Workers lease jobs with a visibility
/// timeout; a lease that runs out makes the job claimable again. A user's jobs run one at a time, in
/// order: a job is claimable only when no earlier job of its user is unfinished. A lease is fenced by
/// its attempt number: extending, completing and failing change the job only for the attempt holding it.
///
/// Idle workers wait on a ``JobWakeSignal`` that this queue signals when it enqueues, completes or
/// requeues a job, so a new job starts at once rather than at the next poll (workers of this process
/// share one queue value; copies share the signal). Only this process enqueues into its SQLite file
/// (`pika worker` needs PostgreSQL), so the poll timeout only bounds how late a retry's `run_after` is noticed.
/// Every write is a ``SQLiteDatabase/transaction(_:)``, so concurrent ones share a group commit.
public struct SQLiteJobQueue: JobQueue {
    private let database: SQLiteDatabase
    private let wake = JobWakeSignal()

    /// Creates a queue on an opened relational database.
    public init(database: SQLiteDatabase) { self.database = database }

    static let columns = "id, tenant, user_id, kind, payload, status, attempts, max_attempts, result, error, created_at, updated_at"

    /// See ``JobQueue/enqueue(_:idempotencyKey:)``.
    public func enqueue(_ job: JobRecord, idempotencyKey: String?) async throws -> (JobRecord, created: Bool) {
        let (stored, created) = try await database.transaction { db -> (JobRecord, Bool) in
            if let idempotencyKey,
                let row = try db.queryOne(
                    "SELECT \(Self.columns) FROM jobs WHERE tenant = ? AND idempotency_key = ?",
                    [.text(job.scope.tenant), .text(idempotencyKey)])
            {
                return (Self.decode(row), false)
            }
            try db.query(
                """
                INSERT INTO jobs (id, tenant, user_id, kind, payload, status, attempts, max_attempts, run_after, lease_until,
                    idempotency_key, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
                """,
                [
                    .text(job.id), .text(job.scope.tenant), .text(job.scope.userID), .text(job.kind), .text(job.payload),
                    .text(job.status.rawValue), .int(job.attempts), .int(job.maxAttempts),
                    .real(job.createdAt.timeIntervalSince1970),
                    job.status == .processing ? .real(job.createdAt.timeIntervalSince1970 + 300) : .null,
                    .optional(idempotencyKey), .real(job.createdAt.timeIntervalSince1970), .real(job.updatedAt.timeIntervalSince1970),
                ])
            return (job, true)
        }
        // A synchronous add's job is created `processing` by its request: nothing for a worker.
        if created && stored.status == .queued { wake.signal() }
        return (stored, created)
    }

    /// See ``JobQueue/claim(now:lease:)``.
    public func claim(now: Date, lease: Duration) async throws -> JobRecord? {
        let t = now.timeIntervalSince1970
        let leaseSeconds = lease.inSeconds
        return try await database.transaction { db in
            guard
                let row = try db.queryOne(
                    """
                    SELECT j.seq FROM jobs j
                    WHERE j.status IN ('queued', 'processing') AND j.run_after <= ?
                      AND (j.status = 'queued' OR j.lease_until < ?)
                      AND NOT EXISTS (SELECT 1 FROM jobs e WHERE e.tenant = j.tenant AND e.user_id = j.user_id
                                      AND e.seq < j.seq AND e.status IN ('queued', 'processing'))
                    ORDER BY j.seq LIMIT 1
                    """, [.real(t), .real(t)])
            else { return nil }
            let seq = row.int64(0)
            try db.query(
                "UPDATE jobs SET status = 'processing', attempts = attempts + 1, lease_until = ?, updated_at = ? WHERE seq = ?",
                [.real(t + leaseSeconds), .real(t), .integer(seq)])
            return try db.queryOne("SELECT \(Self.columns) FROM jobs WHERE seq = ?", [.integer(seq)]).map(Self.decode)
        }
    }

    /// See ``JobQueue/extendLease(id:attempt:lease:now:)``.
    public func extendLease(id: String, attempt: Int, lease: Duration, now: Date) async throws -> Bool {
        let until = now.timeIntervalSince1970 + lease.inSeconds
        return try await database.transaction { db in
            try db.query(
                "UPDATE jobs SET lease_until = ? WHERE id = ? AND status = 'processing' AND attempts = ?",
                [.real(until), .text(id), .int(attempt)])
            return db.changes == 1
        }
    }

    /// See ``JobQueue/complete(id:attempt:result:now:)``.
    @discardableResult
    public func complete(id: String, attempt: Int, result: String, now: Date) async throws -> Bool {
        defer { wake.signal() }  // the user's next job (if any) became claimable
        return try await database.transaction { db in
            try db.query(
                """
                UPDATE jobs SET status = 'completed', result = ?, payload = '', error = NULL, lease_until = NULL, updated_at = ?
                WHERE id = ? AND status = 'processing' AND attempts = ?
                """,
                [.text(result), .real(now.timeIntervalSince1970), .text(id), .int(attempt)])
            return db.changes == 1
        }
    }

    /// See ``JobQueue/forgetResult(id:)``.
    public func forgetResult(id: String) async throws {
        try await database.transaction { db in
            try db.query("UPDATE jobs SET result = NULL WHERE id = ? AND status = 'completed'", [.text(id)])
        }
    }

    /// See ``JobQueue/fail(id:attempt:error:retryAt:now:)``.
    @discardableResult
    public func fail(id: String, attempt: Int, error: String, retryAt: Date?, now: Date) async throws -> Bool {
        defer { wake.signal() }  // the user's next job became claimable (dead letter), or the retry is queued
        return try await database.transaction { db in
            let held: [SQLiteValue] = [.text(id), .int(attempt)]
            if let retryAt {
                try db.query(
                    """
                    UPDATE jobs SET status = 'queued', error = ?, run_after = ?, lease_until = NULL, updated_at = ?
                    WHERE id = ? AND status = 'processing' AND attempts = ?
                    """,
                    [.text(error), .real(retryAt.timeIntervalSince1970), .real(now.timeIntervalSince1970)] + held)
            } else {
                try db.query(
                    """
                    UPDATE jobs SET status = 'failed', error = ?, lease_until = NULL, updated_at = ?
                    WHERE id = ? AND status = 'processing' AND attempts = ?
                    """,
                    [.text(error), .real(now.timeIntervalSince1970)] + held)
            }
            return db.changes == 1
        }
    }

    /// See ``JobQueue/job(id:tenant:)``.
    public func job(id: String, tenant: String) async throws -> JobRecord? {
        // The read-only connection: status polls never wait behind commits, and see every one that
        // returned before them (WAL).
        try await database.read { db in
            try db.queryOne("SELECT \(Self.columns) FROM jobs WHERE id = ? AND tenant = ?", [.text(id), .text(tenant)]).map(Self.decode)
        }
    }

    /// See ``JobQueue/recoverOrphans(now:)``.
    public func recoverOrphans(now: Date) async throws -> Int {
        let recovered = try await database.transaction { db in
            try db.query(
                "UPDATE jobs SET status = 'queued', lease_until = NULL, updated_at = ? WHERE status = 'processing'",
                [.real(now.timeIntervalSince1970)])
            return db.changes
        }
        if recovered > 0 { wake.signal() }
        return recovered
    }

    /// See ``JobQueue/deleteScope(_:)``.
    public func deleteScope(_ scope: MemoryScope) async throws {
        try await database.transaction { db in
            try db.query("DELETE FROM jobs WHERE tenant = ? AND user_id = ?", [.text(scope.tenant), .text(scope.userID)])
        }
    }

    /// See ``JobQueue/prune(finishedBefore:limit:)``.
    public func prune(finishedBefore cutoff: Date, limit: Int) async throws -> Int {
        try await database.transaction { db in
            try db.query(
                """
                DELETE FROM jobs WHERE seq IN (SELECT seq FROM jobs
                    WHERE status IN ('completed', 'failed') AND updated_at < ? ORDER BY seq LIMIT ?)
                """, [.real(cutoff.timeIntervalSince1970), .int(limit)])
            return db.changes
        }
    }

    /// See ``JobQueue/counts()``.
    public func counts() async throws -> [JobStatus: Int] {
        try await database.read { db in
            var counts: [JobStatus: Int] = [:]
            // Kept by triggers (RelationalSchema): no scan of the jobs table.
            for row in try db.query("SELECT status, count FROM job_counts WHERE count > 0") {
                if let status = JobStatus(rawValue: row.string(0) ?? "") { counts[status] = row.int(1) }
            }
            return counts
        }
    }

    /// See ``JobQueue/waitForWork(timeout:)``: returns when this queue enqueues, completes or requeues a
    /// job, or after `timeout`.
    public func waitForWork(timeout: Duration) async {
        await wake.wait(timeout: timeout)
    }

    static func decode(_ row: SQLiteRow) -> JobRecord {
        JobRecord(
            id: row.string(0) ?? "", scope: MemoryScope(tenant: row.string(1) ?? "", userID: row.string(2) ?? ""),
            kind: row.string(3) ?? "", payload: row.string(4) ?? "", status: JobStatus(rawValue: row.string(5) ?? "") ?? .queued,
            attempts: row.int(6), maxAttempts: row.int(7), result: row.string(8), error: row.string(9),
            createdAt: Date(timeIntervalSince1970: row.double(10)), updatedAt: Date(timeIntervalSince1970: row.double(11)))
    }
}
