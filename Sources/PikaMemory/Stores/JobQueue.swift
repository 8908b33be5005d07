import Foundation

/// A durable job queue with leases, retries and dead-lettering.
public protocol JobQueue: Sendable {
    /// Stores a job; with an idempotency key already used by the tenant, returns the first job and `false`.
    func enqueue(_ job: JobRecord, idempotencyKey: String?) async throws -> (JobRecord, created: Bool)
    /// Leases the oldest runnable job whose user has no earlier unfinished job, or nil. The returned
    /// job's `attempts` is this lease's fencing token: every claim increments it, so no two leases of
    /// one job ever share it.
    func claim(now: Date, lease: Duration) async throws -> JobRecord?
    /// Extends the lease held by attempt `attempt` to `now + lease` (the worker's heartbeat); false when
    /// that lease is lost: the job was claimed again (a later attempt), requeued, or is no longer processing.
    func extendLease(id: String, attempt: Int, lease: Duration, now: Date) async throws -> Bool
    /// Marks a job completed with its result, if attempt `attempt` still holds it (status `processing`
    /// and that attempt number); false, changing nothing, when another claim has taken it over. The
    /// payload is released (emptied): a completed job never runs again, so its input need not stay.
    @discardableResult
    func complete(id: String, attempt: Int, result: String, now: Date) async throws -> Bool
    /// Drops a completed job's result once nobody can ask for it any more (a synchronous add without an
    /// idempotency key, whose answer has been sent and whose id the caller never saw).
    func forgetResult(id: String) async throws
    /// Records failed attempt `attempt`: requeued to run at `retryAt`, or dead-lettered when nil; false,
    /// changing nothing, when that attempt no longer holds the job (as in ``complete(id:attempt:result:now:)``).
    @discardableResult
    func fail(id: String, attempt: Int, error: String, retryAt: Date?, now: Date) async throws -> Bool
    /// A job inside `tenant`.
    func job(id: String, tenant: String) async throws -> JobRecord?
    /// Puts jobs left `processing` by a dead process back in the queue (start-up).
    func recoverOrphans(now: Date) async throws -> Int
    /// Deletes a scope's jobs and their payloads.
    func deleteScope(_ scope: MemoryScope) async throws
    /// Jobs per status (metrics), statuses with none left out: read from counters the store keeps on
    /// every write, so a scrape costs the same however many jobs the table holds.
    func counts() async throws -> [JobStatus: Int]
    /// Deletes at most `limit` finished jobs (completed or failed) last changed before `cutoff`;
    /// returns how many it deleted. Queued and running jobs are never touched.
    func prune(finishedBefore cutoff: Date, limit: Int) async throws -> Int
    /// Waits until new work may be available or `timeout` passes (see the default below).
    func waitForWork(timeout: Duration) async
}

extension JobQueue {
    /// Waits until new work may be available or `timeout` passes; a plain sleep unless the queue can
    /// be told about new jobs (the PostgreSQL queue wakes on `NOTIFY`). Workers call it when a claim
    /// found nothing, instead of polling blindly.
    public func waitForWork(timeout: Duration) async {
        try? await Task.sleep(for: timeout)
    }
}
