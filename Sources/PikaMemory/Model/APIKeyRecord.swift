/// What a key may do.
public enum APIKeyRole: String, Sendable, Codable, Hashable, CaseIterable {
    /// Search, get, list, history, export, jobs.
    case read
    /// Also add, update, delete, import.
    case write
    /// Also create keys.
    case admin

    /// Whether this role includes `other`.
    public func allows(_ other: APIKeyRole) -> Bool {
        let rank: [APIKeyRole: Int] = [.read: 0, .write: 1, .admin: 2]
        return rank[self, default: 0] >= rank[other, default: 0]
    }
}

/// A stored API key: only its SHA-256 is kept.
public struct APIKeyRecord: Sendable, Hashable {
    /// Key id (public, for audit).
    public var id: String
    /// Lowercase hex SHA-256 of the key.
    public var hash: String
    /// The tenant its users live in.
    public var tenant: String
    /// Its role.
    public var role: APIKeyRole

    /// Creates a record.
    public init(id: String, hash: String, tenant: String, role: APIKeyRole) {
        self.id = id
        self.hash = hash
        self.tenant = tenant
        self.role = role
    }
}
