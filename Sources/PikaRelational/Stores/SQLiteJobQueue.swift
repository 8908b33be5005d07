import Foundation
import PikaMemory

/// ``JobQueue`` on SQLite.
///
/// A job is committed (fsync, WAL) before its 202 is sent. Workers lease jobs with a visibility
/// timeout; a lease that runs out makes the job claimable again. A user's jobs run one at a time, in
/// order: a job is claimable only when no earlier job of its user is unfinished. A lease is fenced by
/// its attempt number: extending, completing and failing change the job only for the attempt holding it.
public struct SQLiteJobQueue: JobQueue {
    private let database: SQLiteDatabase

    /// Creates a queue on an opened relational database.
    public init(database: SQLiteDatabase) { self.database = database }

    static let columns = "id, tenant, user_id, kind, payload, status, attempts, max_attempts, result, error, created_at, updated_at"

    /// See ``JobQueue/enqueue(_:idempotencyKey:)``.
    public func enqueue(_ job: JobRecord, idempotencyKey: String?) async throws -> (JobRecord, created: Bool) {
        try await database.transaction { db in
            if let idempotencyKey,
                let row = try db.queryOne("SELECT \(Self.columns) FROM jobs WHERE tenant = ? AND idempotency_key = ?",
                                          [.text(job.scope.tenant), .text(idempotencyKey)])
            {
                return (Self.decode(row), false)
            }
            try db.query(
                """
                INSERT INTO jobs (id, tenant, user_id, kind, payload, status, attempts, max_attempts, run_after, lease_until,
                    idempotency_key, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
                """,
                [.text(job.id), .text(job.scope.tenant), .text(job.scope.userID), .text(job.kind), .text(job.payload),
                 .text(job.status.rawValue), .int(job.attempts), .int(job.maxAttempts),
                 .real(job.createdAt.timeIntervalSince1970),
                 job.status == .processing ? .real(job.createdAt.timeIntervalSince1970 + 300) : .null,
                 .optional(idempotencyKey), .real(job.createdAt.timeIntervalSince1970), .real(job.updatedAt.timeIntervalSince1970)])
            return (job, true)
        }
    }

    /// See ``JobQueue/claim(now:lease:)``.
    public func claim(now: Date, lease: Duration) async throws -> JobRecord? {
        let t = now.timeIntervalSince1970
        let leaseSeconds = Self.seconds(lease)
        return try await database.transaction { db in
            guard let row = try db.queryOne(
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
        let until = now.timeIntervalSince1970 + Self.seconds(lease)
        return try await database.run { db in
            try db.query(
                "UPDATE jobs SET lease_until = ? WHERE id = ? AND status = 'processing' AND attempts = ?",
                [.real(until), .text(id), .int(attempt)])
            return db.changes == 1
        }
    }

    /// See ``JobQueue/complete(id:attempt:result:now:)``.
    @discardableResult
    public func complete(id: String, attempt: Int, result: String, now: Date) async throws -> Bool {
        try await database.run { db in
            try db.query(
                """
                UPDATE jobs SET status = 'completed', result = ?, error = NULL, lease_until = NULL, updated_at = ?
                WHERE id = ? AND status = 'processing' AND attempts = ?
                """,
                [.text(result), .real(now.timeIntervalSince1970), .text(id), .int(attempt)])
            return db.changes == 1
        }
    }

    /// See ``JobQueue/fail(id:attempt:error:retryAt:now:)``.
    @discardableResult
    public func fail(id: String, attempt: Int, error: String, retryAt: Date?, now: Date) async throws -> Bool {
        try await database.run { db in
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
        try await database.run { db in
            try db.queryOne("SELECT \(Self.columns) FROM jobs WHERE id = ? AND tenant = ?", [.text(id), .text(tenant)]).map(Self.decode)
        }
    }

    /// See ``JobQueue/recoverOrphans(now:)``.
    public func recoverOrphans(now: Date) async throws -> Int {
        try await database.run { db in
            try db.query(
                "UPDATE jobs SET status = 'queued', lease_until = NULL, updated_at = ? WHERE status = 'processing'",
                [.real(now.timeIntervalSince1970)])
            return db.changes
        }
    }

    /// See ``JobQueue/deleteScope(_:)``.
    public func deleteScope(_ scope: MemoryScope) async throws {
        try await database.run { db in
            try db.query("DELETE FROM jobs WHERE tenant = ? AND user_id = ?", [.text(scope.tenant), .text(scope.userID)])
        }
    }

    /// See ``JobQueue/counts()``.
    public func counts() async throws -> [JobStatus: Int] {
        try await database.run { db in
            var counts: [JobStatus: Int] = [:]
            for row in try db.query("SELECT status, COUNT(*) FROM jobs GROUP BY status") {
                if let status = JobStatus(rawValue: row.string(0) ?? "") { counts[status] = row.int(1) }
            }
            return counts
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func decode(_ row: SQLiteRow) -> JobRecord {
        JobRecord(
            id: row.string(0) ?? "", scope: MemoryScope(tenant: row.string(1) ?? "", userID: row.string(2) ?? ""),
            kind: row.string(3) ?? "", payload: row.string(4) ?? "", status: JobStatus(rawValue: row.string(5) ?? "") ?? .queued,
            attempts: row.int(6), maxAttempts: row.int(7), result: row.string(8), error: row.string(9),
            createdAt: Date(timeIntervalSince1970: row.double(10)), updatedAt: Date(timeIntervalSince1970: row.double(11)))
    }
}
