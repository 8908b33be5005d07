import Foundation

/// The L2 tier's row: what the service knows about a user's favourites and preferences, as one JSON
/// document (the seed's `user_favorite_summary(user_id, summary_json, last_updated)`).
public struct UserSummary: Sendable, Equatable {
    /// Whose summary.
    public var scope: MemoryScope
    /// The summary document (an object; its shape is the summariser's, see docs/architecture.md).
    public var summary: JSONValue
    /// When it was last rebuilt.
    public var lastUpdated: Date

    /// Creates a summary row.
    public init(scope: MemoryScope, summary: JSONValue, lastUpdated: Date) {
        self.scope = scope
        self.summary = summary
        self.lastUpdated = lastUpdated
    }
}

/// Where L2 summaries live: SQLite in the embedded default, PostgreSQL (JSONB) in production.
public protocol SummaryStore: Sendable {
    /// The user's summary, if one was built.
    func summary(for scope: MemoryScope) async throws -> UserSummary?
    /// Stores (or replaces) a user's summary.
    func save(_ summary: UserSummary) async throws
    /// Removes a user's summary (user deletion).
    func delete(scope: MemoryScope) async throws
    /// Users whose summary was last rebuilt before `date`, oldest first, at most `limit` (the proactive refresh).
    func stale(before date: Date, limit: Int) async throws -> [MemoryScope]
}
