import Foundation
import HummingbirdTesting
import PikaMemory
import Testing

/// No write is ever followed by a stale read from any tier: for every write path, a search whose
/// answer is cached (L0/L1, and L2 for favourite questions), then the write, then the same search,
/// which must show the write — with the tiers in-process and in Redis.
@Suite("Cache tiers never serve a read from before a write", .serialized)
struct CacheFreshnessTests {
    /// Searches `query` until a cache tier answers it (so the stale answer is really cached), runs
    /// `write`, searches again and returns what that search found.
    ///
    /// A favourite question is not cached while the user's summary is being rebuilt after the
    /// previous write (the summary answers it next), so the searches go on until the rebuild is
    /// done; the 60 s bound guards against a hang, it is not a timing.
    private func afterWrite(
        _ client: some TestClientProtocol, _ query: String, user: String, write: () async throws -> Void
    ) async throws -> [String] {
        var tier = try await client.search(query, user: user).tier
        let deadline = ContinuousClock.now + .seconds(60)
        while tier == "engine" && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
            tier = try await client.search(query, user: user).tier
        }
        #expect(tier != "engine", "the answer to '\(query)' was never cached")
        try await write()
        return try await client.search(query, user: user).memories
    }

    @Test(arguments: CacheSetup.allCases)
    func everyWritePathIsSeenByTheNextSearch(setup: CacheSetup) async throws {
        try await setup.run { client in
            let user = "fresh-\(UUID().uuidString.prefix(8))"
            // Synchronous add.
            var found = try await afterWrite(client, "What is my favorite color?", user: user) { () async throws in
                let reply = try await client.addSync("My favorite color is blue", user: user)
                #expect(reply.status == .ok)
            }
            #expect(found.first == "Favorite color is blue")

            // Asynchronous add (a job run by a worker).
            found = try await afterWrite(client, "dinosaurs", user: user) {
                let job = try await client.call(.post, "/v1/memories", json: #"{"messages":"I love dinosaurs","user_id":"\#(user)"}"#)
                let done = try await client.waitForJob(try #require(job["job_id"]?.stringValue))
                #expect(done["status"]?.stringValue == "completed")
            }
            #expect(found.first == "Loves dinosaurs")

            // PUT.
            let dinosaurs = try #require(try await client.search("dinosaurs", user: user).reply.results.first?["id"]?.stringValue)
            found = try await afterWrite(client, "dinosaurs", user: user) {
                let put = try await client.call(.put, "/v1/memories/\(dinosaurs)", json: #"{"text":"Loves sharks"}"#)
                #expect(put.status == .ok)
            }
            #expect(found.contains("Loves sharks") && !found.contains("Loves dinosaurs"))

            // DELETE a memory.
            found = try await afterWrite(client, "dinosaurs", user: user) { () async throws in
                let reply = try await client.call(.delete, "/v1/memories/\(dinosaurs)")
                #expect(reply.status == .ok)
            }
            #expect(!found.contains("Loves sharks"))

            // Import.
            found = try await afterWrite(client, "cat", user: user) {
                let line = #"{"id":"\#(UUID().uuidString.lowercased())","memory":"Has a cat named Tom"}"#
                let reply = try await client.call(.post, "/v1/users/\(user)/import", bytes: Array((line + "\n").utf8))
                #expect(reply.status == .ok && reply["imported"]?.numberValue == 1)
            }
            #expect(found.first == "Has a cat named Tom")

            // DELETE the user.
            found = try await afterWrite(client, "What is my favorite color?", user: user) { () async throws in
                let reply = try await client.call(.delete, "/v1/users/\(user)")
                #expect(reply.status == .ok)
            }
            #expect(found.isEmpty)
        }
    }

    @Test(arguments: CacheSetup.allCases)
    func anL2AnswerIsNeverServedAfterTheFavouriteChanges(setup: CacheSetup) async throws {
        try await setup.run { client in
            let user = "l2-\(UUID().uuidString.prefix(8))"
            try await client.addSync("My favorite color is blue. I love dinosaurs.", user: user)
            // A phrasing the worker does not warm: answered by L2 once the summary is rebuilt.
            let question = "what's my favourite colour"
            var (_, tier, found) = try await client.search(question, user: user)
            let deadline = ContinuousClock.now + .seconds(60)  // a guard against a hang, not a timing
            while tier != "l2" && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
                (_, tier, found) = try await client.search(question, user: user)
            }
            #expect(tier == "l2" && found == ["Favorite color is blue"])
            #expect(try await client.search(question, user: user).tier == "l0")
            // The worker warmed L1 with the usual phrasing.
            let warmed = try await client.search("What is my favorite color?", user: user)
            #expect(warmed.tier == "l1" && warmed.memories == ["Favorite color is blue"])

            try await client.addSync("My favorite color is green", user: user)
            for text in [question, "What is my favorite color?"] {
                let after = try await client.search(text, user: user)
                #expect(after.memories.first == "Favorite color is green", "\(text) answered by \(after.tier)")
                #expect(!after.memories.contains("Favorite color is blue"))
            }
        }
    }
}
