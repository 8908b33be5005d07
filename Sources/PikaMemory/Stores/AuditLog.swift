import Foundation

/// One administrative action worth keeping: who did what to whom, and when.
public struct AuditEntry: Sendable, Equatable {
    /// The tenant the action happened in.
    public var tenant: String
    /// Who acted: the API key id (or `cli` for the command line).
    public var actor: String
    /// What happened (``AuditEntry/Action``).
    public var action: String
    /// What it was done to: a key id, a user id; nil when nothing in particular.
    public var target: String?
    /// Details as a JSON object (counts, roles…; never secrets).
    public var detail: [String: JSONValue]
    /// When.
    public var createdAt: Date

    /// The actions the service records.
    public enum Action {
        /// An admin created an API key (target: the new key's id).
        public static let keyCreated = "key.created"
        /// A user and all their data were deleted (target: the user id).
        public static let userDeleted = "user.deleted"
        /// Memories were imported for a user (target: the user id).
        public static let memoriesImported = "memories.imported"
    }

    /// Creates an entry.
    public init(
        tenant: String, actor: String, action: String, target: String?, detail: [String: JSONValue] = [:],
        createdAt: Date
    ) {
        self.tenant = tenant
        self.actor = actor
        self.action = action
        self.target = target
        self.detail = detail
        self.createdAt = createdAt
    }
}

/// An append-only audit log of administrative actions.
public protocol AuditLog: Sendable {
    /// Appends an entry.
    func record(_ entry: AuditEntry) async throws
    /// A tenant's entries, newest first, at most `limit`.
    func entries(tenant: String, limit: Int) async throws -> [AuditEntry]
}
