import Foundation
import Hummingbird
import HummingbirdTesting
import PikaMemory
import Testing

@Suite("GET /v1/users")
struct UserListTests {
    @Test func pagesTheTenantsUsersWithCountsAndNeverAnotherTenants() async throws {
        try await ServiceHarness.run { client in
            for (user, count) in [("carol", 1), ("alice", 2), ("bob", 3)] {
                for i in 0..<count {
                    let added = try await client.call(
                        .post, "/v1/memories",
                        json: #"{"messages":"note \#(i) of \#(user)","user_id":"\#(user)","infer":false,"async":false}"#)
                    #expect(added.status == .ok)
                }
            }
            let created = try await client.call(.post, "/v1/admin/keys", json: #"{"tenant":"other","role":"write"}"#)
            let otherKey = try #require(created["key"]?.stringValue)
            _ = try await client.call(
                .post, "/v1/memories", key: otherKey, json: #"{"messages":"secret","user_id":"dave","infer":false,"async":false}"#)

            let first = try await client.call(.get, "/v1/users?limit=2")
            #expect(first.status == .ok)
            #expect(first.results.map { $0["user_id"]?.stringValue } == ["alice", "bob"])
            #expect(first.results.map { $0["memory_count"]?.numberValue } == [2, 3])
            let cursor = try #require(first["next_cursor"]?.stringValue)
            let second = try await client.call(.get, "/v1/users?limit=2&cursor=\(cursor)")
            #expect(second.results.map { $0["user_id"]?.stringValue } == ["carol"])
            #expect(second["next_cursor"] == .null)

            let other = try await client.call(.get, "/v1/users", key: otherKey)
            #expect(other.results.map { $0["user_id"]?.stringValue } == ["dave"])

            // A user whose memories are all gone is not listed.
            _ = try await client.call(.delete, "/v1/users/carol")
            #expect(try await client.call(.get, "/v1/users").results.count == 2)

            #expect(try await client.call(.get, "/v1/users?limit=0").code == "invalid_limit")
            // A cursor is a user id (the last of a page); anything else is refused.
            #expect(try await client.call(.get, "/v1/users?cursor=a..b").code == "invalid_cursor")
            #expect(try await client.call(.get, "/v1/users", key: nil).status == .unauthorized)
        }
    }
}
