import Foundation
import Hummingbird
import HummingbirdTesting
import PikaMemory
import Testing

/// The two kinds of memory through the Mem0-compatible routes: an add's `timestamp` and a message's
/// `name`, `kind` and `occurred_at` in every memory, and both as filters.
@Suite("Mem0 routes: kinds, times and speakers")
struct Mem0KindsTests {
    @Test func addTimestampKindAndOccurredAtFilters() async throws {
        try await ServiceHarness.run { client in
            let added = try await client.call(
                .post, "/v3/memories/add/",
                json: #"""
                    {"messages":[{"role":"user","name":"Ana","content":"My favorite color is green. Yesterday I repainted the whole kitchen."},
                                 {"role":"user","name":"Ben","content":"My favorite color is blue."}],
                     "user_id":"u1","timestamp":1683554160,"async_mode":false}
                    """#)
            #expect(added["status"]?.stringValue == "SUCCEEDED")
            #expect(
                Set(added.results.compactMap { $0["memory"]?.stringValue }) == [
                    "Ana's favorite color is green", "On 7 May 2023 Ana repainted the whole kitchen.", "Ben's favorite color is blue",
                ])
            func search(_ filter: String) async throws -> [JSONValue] {
                try await client.call(
                    .post, "/v2/memories/search/", json: #"{"query":"kitchen color","filters":{"AND":[{"user_id":"u1"},\#(filter)]}}"#
                ).results
            }
            let events = try await search(#"{"kind":"event"}"#)
            #expect(events.count == 1)
            #expect(events.first?["kind"]?.stringValue == "event")
            #expect(events.first?["occurred_at"]?.stringValue == "2023-05-07T00:00:00.000Z")
            let facts = try await search(#"{"kind":{"ne":"event"}}"#)
            #expect(facts.count == 2 && facts.allSatisfy { $0["kind"]?.stringValue == "fact" && $0["occurred_at"] == .null })
            #expect(try await search(#"{"occurred_at":{"gte":"2023-05-07","lt":"2023-05-08"}}"#).count == 1)
            #expect(try await search(#"{"occurred_at":{"gte":"2023-05-08"}}"#).isEmpty)
            // The list route shows them too.
            let listed = try await client.call(.get, "/v1/memories/?user_id=u1")
            let rows = listed.json.arrayValue ?? listed.results
            #expect(Set(rows.compactMap { $0["kind"]?.stringValue }) == ["fact", "event"])
            // A time Mem0 callers cannot mean is refused as on POST /v1/memories.
            let bad = try await client.call(
                .post, "/v3/memories/add/", json: #"{"messages":"hi","user_id":"u1","timestamp":"soon","async_mode":false}"#)
            #expect(bad.status == .badRequest && bad.code == "invalid_argument")
        }
    }
}
