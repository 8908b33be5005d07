extension MemoryManager {
    /// A page of `tenant`'s users with their live-memory counts, by user id, after `cursor` (a user
    /// id; from the first when nil), and the cursor of the next page (nil on the last).
    public func users(tenant: String, after cursor: String?, limit: Int) async throws -> (users: [UserMemoryCount], next: String?) {
        let page = try await store.users(tenant: tenant, after: cursor, limit: limit + 1)
        let users = Array(page.prefix(limit))
        return (users, page.count > limit ? users.last?.userID : nil)
    }
}
