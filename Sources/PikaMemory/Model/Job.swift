import Foundation

/// A job's state, as the customer's design names them.
public enum JobStatus: String, Sendable, Codable, Hashable {
    /// Accepted, waiting for a worker (also while waiting to retry).
    case queued
    /// Leased by a worker.
    case processing
    /// Done; `result` holds the events.
    case completed
    /// Dead-lettered after its last attempt; `error` says why.
    case failed
}

/// A job as stored.
public struct JobRecord: Sendable, Hashable {
    /// Public id.
    public var id: String
    /// Owner.
    public var scope: MemoryScope
    /// What to do (`add`).
    public var kind: String
    /// The request, JSON.
    public var payload: String
    /// State.
    public var status: JobStatus
    /// Attempts started so far.
    public var attempts: Int
    /// Attempts allowed before dead-lettering.
    public var maxAttempts: Int
    /// Result JSON when completed.
    public var result: String?
    /// Last error when failed or retrying.
    public var error: String?
    /// Creation time.
    public var createdAt: Date
    /// Last change.
    public var updatedAt: Date

    /// Creates a job record.
    public init(
        id: String, scope: MemoryScope, kind: String, payload: String, status: JobStatus = .queued,
        attempts: Int = 0, maxAttempts: Int = 5, result: String? = nil, error: String? = nil,
        createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.scope = scope
        self.kind = kind
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.result = result
        self.error = error
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
