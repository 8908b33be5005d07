/// Whose memories: a tenant (from the API key) and a user id inside it.
///
/// User ids are per tenant: tenant A's `u1` and tenant B's `u1` are different people.
public struct MemoryScope: Sendable, Hashable, CustomStringConvertible {
    /// The tenant of the API key.
    public var tenant: String
    /// The end user inside the tenant.
    public var userID: String

    /// Creates a scope.
    public init(tenant: String, userID: String) {
        self.tenant = tenant
        self.userID = userID
    }

    /// `tenant/user`, for logs.
    public var description: String { "\(tenant)/\(userID)" }
}
