/// A user of a tenant and how many live memories they hold, as `GET /v1/users` lists them.
public struct UserMemoryCount: Sendable, Hashable {
    /// The user id inside the tenant.
    public var userID: String
    /// The user's live (not deleted) memories.
    public var memoryCount: Int

    /// Creates a summary.
    public init(userID: String, memoryCount: Int) {
        self.userID = userID
        self.memoryCount = memoryCount
    }
}
