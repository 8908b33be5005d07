import Foundation

/// The results of jobs committed for `pika worker` processes (table `applied_jobs`), kept so that a
/// job delivered again (by the worker that took it over after the first died) gets the first
/// delivery's results instead of committing its memories twice.
public struct SQLiteAppliedJobs: Sendable {
    private let database: SQLiteDatabase
    /// How long a result is kept (longer than any job's retries run).
    public var retention: TimeInterval = 7 * 86_400

    /// Creates the accessor.
    public init(database: SQLiteDatabase) { self.database = database }

    /// The stored result JSON of `job`, if it was committed here.
    public func result(of job: String) async throws -> String? {
        try await database.read { db in try db.queryOne("SELECT result FROM applied_jobs WHERE job_id = ?", [.text(job)])?.string(0) }
    }

    /// Records `job`'s result, and now and then forgets results older than ``retention``.
    public func record(_ job: String, result: String, now: Date = Date()) async throws {
        let cutoff = now.timeIntervalSince1970 - retention
        try await database.transaction { db in
            try db.query(
                "INSERT OR REPLACE INTO applied_jobs (job_id, result, created_at) VALUES (?, ?, ?)",
                [.text(job), .text(result), .real(now.timeIntervalSince1970)])
            if db.lastInsertRowID % 256 == 0 { try db.query("DELETE FROM applied_jobs WHERE created_at < ?", [.real(cutoff)]) }
        }
    }
}
