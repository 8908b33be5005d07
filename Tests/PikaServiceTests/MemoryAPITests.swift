import Foundation
import Hummingbird
import HummingbirdTesting
import PikaMemory
import PikaRelational
import Testing

@Suite("Memory API end to end")
struct MemoryAPITests {
    @Test func healthReadinessMetricsAndAuth() async throws {
        try await ServiceHarness.run { client in
            #expect(try await client.call(.get, "/healthz", key: nil).status == .ok)
            #expect(try await client.call(.get, "/readyz", key: nil).status == .ok)
            let anonymous = try await client.call(.get, "/v1/memories?user_id=u1", key: nil)
            #expect(anonymous.status == .unauthorized && anonymous.code == "unauthorized")
            #expect(anonymous.headers[.contentType] == "application/problem+json")
            #expect(try await client.call(.get, "/v1/memories?user_id=u1", key: "wrong-key-wrong-key").status == .unauthorized)
            var bearer = HTTPFields()
            bearer[.authorization] = "Bearer \(ServiceHarness.adminKey)"
            #expect(try await client.call(.get, "/v1/memories?user_id=u1", key: nil, headers: bearer).status == .ok)
            _ = try await client.call(.post, "/search_facts", json: #"{"query":"hi","user_id":"u1"}"#)
            let metrics = try await client.call(.get, "/metrics", key: nil)
            #expect(metrics.status == .ok)
            for name in [
                "http_requests_total", "http_request_duration_seconds", "search_facts_requests_total",
                "http_request_size_bytes", "http_response_size_bytes", "cache_misses_total", "job_success_rate",
                "cache_hit_rate",
            ] {
                #expect(metrics.text.contains(name), "missing metric \(name)")
            }
        }
    }

    @Test func syncAddSearchGetListUpdateDeleteHistory() async throws {
        try await ServiceHarness.run { client in
            let added = try await client.call(
                .post, "/v1/memories",
                json: """
                    {"messages":[{"role":"user","content":"My name is Minh. I love dinosaurs. I have a dog named Max."},
                                 {"role":"assistant","content":"I love that!"}],
                     "user_id":"u1","agent_id":"pika","metadata":{"source":"chat"},"async":false}
                    """)
            #expect(added.status == .ok)
            #expect(added.results.map { $0["event"]?.stringValue } == ["ADD", "ADD", "ADD"])
            let search = try await client.call(.post, "/v1/memories/search", json: #"{"query":"dinosaurs","user_id":"u1","limit":2}"#)
            #expect(search.status == .ok)
            let top = try #require(search.results.first)
            #expect(top["memory"]?.stringValue == "Loves dinosaurs")
            #expect(top["user_id"]?.stringValue == "u1" && top["agent_id"]?.stringValue == "pika")
            #expect((top["score"]?.numberValue ?? 0) > 0.3)
            let id = try #require(top["id"]?.stringValue)
            #expect(try await client.call(.get, "/v1/memories/\(id)").json["metadata"]?["source"]?.stringValue == "chat")

            let page1 = try await client.call(.get, "/v1/memories?user_id=u1&limit=2")
            #expect(page1.results.count == 2)
            let cursor = try #require(page1["next_cursor"]?.stringValue)
            let page2 = try await client.call(.get, "/v1/memories?user_id=u1&limit=2&cursor=\(cursor)")
            #expect(page2.results.count == 1 && page2["next_cursor"] == .null)

            let updated = try await client.call(.put, "/v1/memories/\(id)", json: #"{"text":"Loves dinosaurs and sharks"}"#)
            #expect(updated.status == .ok && updated["memory"]?.stringValue == "Loves dinosaurs and sharks")
            #expect(try await client.call(.delete, "/v1/memories/\(id)").status == .ok)
            #expect(try await client.call(.get, "/v1/memories/\(id)").status == .notFound)
            let history = try await client.call(.get, "/v1/memories/\(id)/history")
            #expect(history.results.map { $0["event"]?.stringValue } == ["ADD", "UPDATE", "DELETE"])
            #expect(history.results[1]["old_memory"]?.stringValue == "Loves dinosaurs")
            #expect(history.results[1]["new_memory"]?.stringValue == "Loves dinosaurs and sharks")
        }
    }

    @Test func asyncJobsAliasesIdempotencyAndOrdering() async throws {
        try await ServiceHarness.run { client in
            var idem = HTTPFields()
            idem[.init("Idempotency-Key")!] = "req-1"
            let first = try await client.call(
                .post, "/extract_facts", json: #"{"messages":"My name is Minh","user_id":"u1"}"#, headers: idem)
            #expect(first.status == .accepted && first["status"]?.stringValue == "queued")
            let jobID = try #require(first["job_id"]?.stringValue)
            let retry = try await client.call(
                .post, "/extract_facts", json: #"{"messages":"My name is Minh","user_id":"u1"}"#, headers: idem)
            #expect(retry["job_id"]?.stringValue == jobID)
            // Three jobs of one user apply in order: the last name wins, through UPDATEs.
            var ids: [String] = []
            for name in ["Anh", "Bao", "Chi"] {
                let reply = try await client.call(.post, "/v1/memories", json: #"{"messages":"My name is \#(name)","user_id":"u1"}"#)
                ids.append(try #require(reply["job_id"]?.stringValue))
            }
            for id in [jobID] + ids {
                let job = try await client.waitForJob(id)
                #expect(job["status"]?.stringValue == "completed")
            }
            let alias = try await client.call(.get, "/jobs/\(ids[2])")
            #expect(alias["result"]?["results"]?.arrayValue?.first?["event"]?.stringValue == "UPDATE")
            let search = try await client.call(.post, "/search_facts", json: #"{"query":"name","user_id":"u1"}"#)
            #expect(search.results.map { $0["memory"]?.stringValue } == ["Name is Chi"])
            let memoryID = try #require(search.results.first?["id"]?.stringValue)
            let history = try await client.call(.get, "/v1/memories/\(memoryID)/history")
            #expect(history.results.map { $0["new_memory"]?.stringValue } == ["Name is Minh", "Name is Anh", "Name is Bao", "Name is Chi"])
        }
    }

    @Test("a synchronous add keeps no copy of its text in the jobs table; with an Idempotency-Key its answer replays")
    func synchronousAddsKeepNoJobText() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        try await ServiceHarness.run(dataDirectory: directory) { client in
            let plain = try await client.call(.post, "/v1/memories", json: #"{"messages":"I like pizza","user_id":"u1","async":false}"#)
            #expect(plain.status == .ok && !plain.results.isEmpty)
            var idem = HTTPFields()
            idem[.init("Idempotency-Key")!] = "sync-1"
            let body = #"{"messages":"My dog is called Bim","user_id":"u1","async":false}"#
            let keyed = try await client.call(.post, "/v1/memories", json: body, headers: idem)
            let replay = try await client.call(.post, "/v1/memories", json: body, headers: idem)
            #expect(keyed.status == .ok && replay.status == .ok)
            #expect(replay.results.map { $0["id"]?.stringValue } == keyed.results.map { $0["id"]?.stringValue })
            #expect(!keyed.results.isEmpty)
        }
        let database = try RelationalSchema.open(path: directory + "/pika.sqlite")
        let rows = try await database.read { db in try db.query("SELECT payload, result, idempotency_key FROM jobs ORDER BY seq") }
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0.string(0) == "" })
        #expect(rows.map { $0.string(1) == nil } == [true, false])
    }

    @Test func consolidationDeleteAndNone() async throws {
        try await ServiceHarness.run { client in
            let add = try await client.call(.post, "/v1/memories", json: #"{"messages":"I like pizza","user_id":"u1","async":false}"#)
            #expect(add.results.first?["event"]?.stringValue == "ADD")
            let same = try await client.call(.post, "/v1/memories", json: #"{"messages":"I like pizza.","user_id":"u1","async":false}"#)
            #expect(same.results.first?["event"]?.stringValue == "NONE")
            let gone = try await client.call(
                .post, "/v1/memories", json: #"{"messages":"I don't like pizza anymore","user_id":"u1","async":false}"#)
            #expect(gone.results.first?["event"]?.stringValue == "DELETE")
            #expect(try await client.call(.get, "/v1/memories?user_id=u1").results.isEmpty)
            let verbatim = try await client.call(
                .post, "/v1/memories",
                json: #"{"messages":[{"role":"user","content":"raw note"}],"user_id":"u1","infer":false,"async":false}"#)
            #expect(verbatim.results.first?["memory"]?.stringValue == "raw note")
        }
    }

    @Test func eventsWithSpeakerTimeKindAndTimeSearch() async throws {
        try await ServiceHarness.run { client in
            let add = try await client.call(
                .post, "/v1/memories",
                json: #"""
                    {"messages":[{"role":"user","name":"Ana","content":"Hi! Yesterday I ran my first half marathon in Hue."},
                                 {"role":"assistant","content":"Congratulations!"}],
                     "timestamp":"2023-05-08T13:56:00Z","user_id":"u1","async":false}
                    """#)
            #expect(add.results.map { $0["memory"]?.stringValue } == ["On 7 May 2023 Ana ran Ana's first half marathon in Hue."])
            let found = try await client.call(
                .post, "/v1/memories/search",
                json: #"""
                    {"query":"what did Ana run last week","user_id":"u1","reference_time":1683554160,
                     "filters":{"AND":[{"kind":"event"},{"occurred_at":{"gte":"2023-05-01","lte":1683590400}}]}}
                    """#)
            let first = try #require(found.results.first)
            #expect(first["kind"]?.stringValue == "event")
            #expect(first["occurred_at"]?.stringValue == "2023-05-07T00:00:00.000Z")
        }
    }

    @Test func tenantIsolationAndRoles() async throws {
        try await ServiceHarness.run { client in
            let added = try await client.call(.post, "/v1/memories", json: #"{"messages":"I like cats","user_id":"u1","async":false}"#)
            let id = try #require(added.results.first?["id"]?.stringValue)
            let created = try await client.call(.post, "/v1/admin/keys", json: #"{"tenant":"other","role":"write"}"#)
            #expect(created.status == .created)
            let otherKey = try #require(created["key"]?.stringValue)
            #expect(try await client.call(.get, "/v1/memories/\(id)", key: otherKey).status == .notFound)
            #expect(try await client.call(.get, "/v1/memories/\(id)/history", key: otherKey).status == .notFound)
            #expect(try await client.call(.delete, "/v1/memories/\(id)", key: otherKey).status == .notFound)
            let search = try await client.call(.post, "/search_facts", key: otherKey, json: #"{"query":"cats","user_id":"u1"}"#)
            #expect(search.status == .ok && search.results.isEmpty)
            #expect(try await client.call(.get, "/v1/memories?user_id=u1", key: otherKey).results.isEmpty)
            #expect(
                try await client.call(.post, "/v1/admin/keys", key: otherKey, json: #"{"tenant":"x","role":"admin"}"#).status == .forbidden)
            let reader = try await client.call(.post, "/v1/admin/keys", json: #"{"tenant":"default","role":"read"}"#)
            let readKey = try #require(reader["key"]?.stringValue)
            #expect(try await client.call(.get, "/v1/memories/\(id)", key: readKey).status == .ok)
            let denied = try await client.call(.post, "/v1/memories", key: readKey, json: #"{"messages":"x","user_id":"u1"}"#)
            #expect(denied.status == .forbidden && denied.code == "forbidden")
        }
    }

    @Test func filtersApplyInsideTheEngineSearch() async throws {
        try await ServiceHarness.run { client in
            // 40 memories about dinosaurs, one of them tagged rare, its text far from the query.
            for i in 0..<40 {
                let category = i == 17 ? "rare" : "common"
                let text = i == 17 ? "the kitchen tap is leaking" : "dinosaurs fact number \(i)"
                let reply = try await client.call(
                    .post, "/v1/memories",
                    json: """
                        {"messages":[{"role":"user","content":"\(text)"}],"user_id":"u1","infer":false,"async":false,
                         "metadata":{"category":"\(category)","n":\(i)}}
                        """)
                #expect(reply.status == .ok)
            }
            let filtered = try await client.call(
                .post, "/v1/memories/search",
                json: """
                    {"query":"dinosaurs","user_id":"u1","limit":1,"filters":{"category":{"eq":"rare"}}}
                    """)
            #expect(filtered.results.map { $0["memory"]?.stringValue } == ["the kitchen tap is leaking"])
            let range = try await client.call(
                .post, "/v1/memories/search",
                json: """
                    {"query":"dinosaurs","user_id":"u1","limit":100,"filters":{"AND":[{"n":{"gte":10}},{"n":{"lt":13}}]}}
                    """)
            #expect(range.results.count == 3)
            let bad = try await client.call(
                .post, "/v1/memories/search",
                json: """
                    {"query":"dinosaurs","user_id":"u1","filters":{"category":{"regex":"r.*"}}}
                    """)
            #expect(bad.status == .badRequest && bad.code == "invalid_filter")
        }
    }

    @Test func searchModesOnBothPaths() async throws {
        try await ServiceHarness.run { client in
            for text in ["Minh plays the violin every weekend", "Lan studies chemistry at school", "Tôi sống ở Hà Nội"] {
                let reply = try await client.call(
                    .post, "/v1/memories",
                    json: """
                        {"messages":[{"role":"user","content":"\(text)"}],"user_id":"u1","infer":false,"async":false}
                        """)
                #expect(reply.status == .ok)
            }
            for path in ["/v1/memories/search", "/search_facts"] {
                func search(_ body: String) async throws -> [String?] {
                    let reply = try await client.call(.post, path, json: body)
                    #expect(reply.status == .ok, "\(path) \(body) → \(reply.text)")
                    return reply.results.map { $0["memory"]?.stringValue }
                }
                // Keyword: only term matches, accents folded ("ha noi" finds "Hà Nội").
                #expect(
                    try await search(#"{"query":"violins","user_id":"u1","mode":"keyword"}"#) == ["Minh plays the violin every weekend"])
                #expect(try await search(#"{"query":"ha noi","user_id":"u1","mode":"keyword"}"#) == ["Tôi sống ở Hà Nội"])
                #expect(try await search(#"{"query":"violin","user_id":"u1","mode":"keyword","threshold":50}"#).isEmpty)
                // Vector and hybrid rank every memory; the term match comes first in hybrid (the default).
                #expect(try await search(#"{"query":"violin","user_id":"u1","mode":"vector"}"#).count == 3)
                let hybrid = try await search(#"{"query":"violin","user_id":"u1","mode":"hybrid"}"#)
                #expect(hybrid.count == 3 && hybrid.first == "Minh plays the violin every weekend")
                #expect(try await search(#"{"query":"violin","user_id":"u1"}"#) == hybrid)
            }
        }
    }

    @Test func graphAndRelationsInSearch() async throws {
        try await ServiceHarness.run { client in
            _ = try await client.call(
                .post, "/v1/memories",
                json: #"{"messages":"My sister Lan likes cats. I have a dog named Max.","user_id":"u1","async":false}"#)
            let graph = try await client.call(.get, "/v1/users/u1/graph?entity=Lan&depth=1")
            #expect(graph.status == .ok)
            #expect(graph["entities"]?.arrayValue?.contains { $0["name"]?.stringValue == "Lan" } == true)
            let relations = graph["relations"]?.arrayValue ?? []
            #expect(relations.contains { $0["relation"]?.stringValue == "likes" && $0["target"]?.stringValue == "cats" })
            let search = try await client.call(.post, "/search_facts", json: #"{"query":"What does Lan like?","user_id":"u1"}"#)
            #expect(search["relations"]?.arrayValue?.contains { $0["source"]?.stringValue == "Lan" } == true)
        }
    }

    @Test func deleteUserLeavesNoTraceAndExportImportRoundTrip() async throws {
        try await ServiceHarness.run { client in
            _ = try await client.call(
                .post, "/v1/memories",
                json: #"{"messages":"My name is Minh. My sister Lan likes cats. I like pizza","user_id":"u1","async":false}"#)
            _ = try await client.call(
                .post, "/v1/memories", json: #"{"messages":"I don't like pizza anymore","user_id":"u1","async":false}"#)
            _ = try await client.call(.post, "/v1/memories", json: #"{"messages":"I like kites","user_id":"u2","async":false}"#)
            let export = try await client.call(.get, "/v1/users/u1/export")
            #expect(export.status == .ok && export.headers[.contentType] == "application/x-ndjson")
            let lines = export.text.split(separator: "\n")
            #expect(lines.count == 2)
            let listed = try await client.call(.get, "/v1/memories?user_id=u1")
            let ids = listed.results.compactMap { $0["id"]?.stringValue }
            let queued = try await client.call(.post, "/extract_facts", json: #"{"messages":"I like kites","user_id":"u1"}"#)
            let jobID = try #require(queued["job_id"]?.stringValue)
            _ = try await client.waitForJob(jobID)
            let deleted = try await client.call(.delete, "/v1/users/u1")
            #expect(deleted.status == .ok)
            #expect(try await client.call(.post, "/search_facts", json: #"{"query":"Minh","user_id":"u1"}"#).results.isEmpty)
            #expect(try await client.call(.get, "/v1/memories?user_id=u1").results.isEmpty)
            for id in ids { #expect(try await client.call(.get, "/v1/memories/\(id)/history").status == .notFound) }
            let graph = try await client.call(.get, "/v1/users/u1/graph")
            #expect(graph["entities"]?.arrayValue?.isEmpty == true && graph["relations"]?.arrayValue?.isEmpty == true)
            #expect(try await client.call(.get, "/v1/users/u1/export").text.isEmpty)
            #expect(try await client.call(.get, "/v1/jobs/\(jobID)").status == .notFound)  // job payloads are gone too
            // Another user is untouched.
            #expect(try await client.call(.get, "/v1/memories?user_id=u2").results.count == 1)

            let imported = try await client.call(.post, "/v1/users/u1/import", bytes: Array(export.text.utf8))
            #expect(imported.status == .ok && imported["imported"]?.numberValue == 2)
            let again = try await client.call(.post, "/v1/users/u1/import", bytes: Array(export.text.utf8))
            #expect(again["imported"]?.numberValue == 0 && again["skipped"]?.numberValue == 2)
            let restored = try await client.call(.get, "/v1/memories?user_id=u1")
            #expect(Set(restored.results.compactMap { $0["id"]?.stringValue }) == Set(ids))
            #expect(
                try await client.call(.post, "/search_facts", json: #"{"query":"name","user_id":"u1"}"#).results.first?["memory"]?
                    .stringValue == "Name is Minh")
        }
    }

    @Test func rateLimitAnswers429WithRetryAfter() async throws {
        try await ServiceHarness.run(rateLimit: 1) { client in
            var statuses: [HTTPResponse.Status] = []
            var retryAfter: String?
            for _ in 0..<5 {
                let reply = try await client.call(.get, "/v1/memories?user_id=u1")
                statuses.append(reply.status)
                if reply.status == .tooManyRequests { retryAfter = reply.headers[.retryAfter] }
            }
            #expect(statuses.contains(.tooManyRequests))
            #expect(retryAfter != nil)
        }
    }
}
