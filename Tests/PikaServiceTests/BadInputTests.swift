import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Bad input answers 4xx problems and changes nothing")
struct BadInputTests {
    @Test func everyBadRequestIsAProblem() async throws {
        try await ServiceHarness.run { client in
            let cases: [(HTTPRequest.Method, String, String?, [UInt8]?, HTTPResponse.Status, String)] = [
                (.post, "/v1/memories", "{not json", nil, .badRequest, "malformed_json"),
                (.post, "/v1/memories", "[1,2]", nil, .badRequest, "malformed_json"),
                (.post, "/v1/memories", #"{"messages":"hi"}"#, nil, .badRequest, "missing_field"),
                (.post, "/v1/memories", #"{"messages":42,"user_id":"u1"}"#, nil, .badRequest, "invalid_type"),
                (.post, "/v1/memories", #"{"messages":"hi","user_id":7}"#, nil, .badRequest, "invalid_type"),
                (.post, "/v1/memories", #"{"messages":"hi","user_id":"u1","async":"yes"}"#, nil, .badRequest, "invalid_type"),
                (.post, "/v1/memories", #"{"messages":[],"user_id":"u1"}"#, nil, .badRequest, "invalid_argument"),
                (.post, "/v1/memories", #"{"messages":[{"role":"user"}],"user_id":"u1"}"#, nil, .badRequest, "missing_field"),
                (.post, "/v1/memories", #"{"messages":"hi","user_id":"../../etc/passwd"}"#, nil, .badRequest, "invalid_id"),
                (.post, "/v1/memories", #"{"messages":"hi","user_id":"u1","metadata":[1]}"#, nil, .badRequest, "invalid_type"),
                (.post, "/v1/memories", nil, [0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d], .badRequest, "invalid_utf8"),
                (.post, "/v1/memories/search", #"{"query":"","user_id":"u1"}"#, nil, .badRequest, "empty_query"),
                (.post, "/v1/memories/search", #"{"query":"   ","user_id":"u1"}"#, nil, .badRequest, "empty_query"),
                (.post, "/v1/memories/search", #"{"query":"hi"}"#, nil, .badRequest, "missing_field"),
                (.post, "/v1/memories/search", #"{"query":"hi","user_id":"u1","limit":1000}"#, nil, .badRequest, "invalid_limit"),
                (.post, "/v1/memories/search", #"{"query":"hi","user_id":"u1","limit":2.5}"#, nil, .badRequest, "invalid_limit"),
                (
                    .post, "/v1/memories/search", #"{"query":"hi","user_id":"u1","filters":{"a":{"near":1}}}"#, nil, .badRequest,
                    "invalid_filter"
                ),
                (
                    .post, "/v1/memories/search", "{\"query\":\"\(String(repeating: "a", count: 2001))\",\"user_id\":\"u1\"}", nil,
                    .badRequest, "too_long"
                ),
                (.post, "/v1/memories/search", #"{"query":"hi","user_id":"u1","mode":"semantic"}"#, nil, .badRequest, "invalid_mode"),
                (.post, "/search_facts", #"{"query":"hi","user_id":"u1","mode":"HYBRID"}"#, nil, .badRequest, "invalid_mode"),
                (
                    .post, "/v1/memories/search", #"{"query":"hi","user_id":"u1","reference_time":"last tuesday"}"#, nil, .badRequest,
                    "invalid_argument"
                ),
                (.post, "/v1/memories/search", #"{"query":"hi","user_id":"u1","reference_time":-5}"#, nil, .badRequest, "invalid_argument"),
                (.post, "/v1/memories", #"{"messages":"hi","user_id":"u1","timestamp":"soon"}"#, nil, .badRequest, "invalid_argument"),
                (
                    .post, "/v1/memories", #"{"messages":[{"role":"user","content":"hi","timestamp":true}],"user_id":"u1"}"#, nil,
                    .badRequest, "invalid_argument"
                ),
                (
                    .post, "/v1/memories", #"{"messages":[{"role":"user","content":"hi","name":7}],"user_id":"u1"}"#, nil, .badRequest,
                    "invalid_type"
                ),
                (.post, "/search_facts", #"{"query":"hi","user_id":"u1","mode":3}"#, nil, .badRequest, "invalid_type"),
                (.post, "/v1/memories/search", #"{"query":"hi","user_id":"u1","threshold":2}"#, nil, .badRequest, "invalid_threshold"),
                (.get, "/v1/memories/00000000-0000-0000-0000-000000000000", nil, nil, .notFound, "not_found"),
                (.get, "/v1/memories/..%2F..%2Fetc", nil, nil, .badRequest, "invalid_id"),
                (.get, "/v1/memories/not-a-uuid/history", nil, nil, .badRequest, "invalid_id"),
                (.put, "/v1/memories/00000000-0000-0000-0000-000000000000", #"{"text":"x"}"#, nil, .notFound, "not_found"),
                (.put, "/v1/memories/00000000-0000-0000-0000-000000000000", #"{}"#, nil, .badRequest, "missing_field"),
                (.get, "/v1/memories", nil, nil, .badRequest, "missing_field"),
                (.get, "/v1/memories?user_id=u1&limit=0", nil, nil, .badRequest, "invalid_limit"),
                (.get, "/v1/memories?user_id=u1&limit=99999999999999999999", nil, nil, .badRequest, "invalid_limit"),
                (.get, "/v1/memories?user_id=u1&cursor=%%%garbage", nil, nil, .badRequest, "invalid_cursor"),
                (.get, "/v1/memories?user_id=u1&cursor=\(String(repeating: "A", count: 500))", nil, nil, .badRequest, "invalid_cursor"),
                (.get, "/v1/users/..%2F..%2Fetc/export", nil, nil, .badRequest, "invalid_id"),
                (.get, "/v1/users/u1/graph?depth=100", nil, nil, .badRequest, "invalid_depth"),
                (.get, "/v1/jobs/123", nil, nil, .badRequest, "invalid_id"),
                (.get, "/jobs/00000000-0000-0000-0000-000000000000", nil, nil, .notFound, "not_found"),
                (.post, "/v1/users/u1/import", nil, Array("not json\n".utf8), .badRequest, "malformed_jsonl"),
                (.post, "/v1/users/u1/import", nil, [], .badRequest, "empty_import"),
                (.post, "/v1/users/u1/import", nil, Array("\n  \n".utf8), .badRequest, "empty_import"),
                (.post, "/v1/users/u1/import", nil, Array(#"{"id":"42","memory":"x"}"#.utf8), .badRequest, "invalid_argument"),
                (
                    .post, "/v1/users/u1/import", nil,
                    Array(#"{"id":"0b3e7a52-1111-4c3a-9d55-00000000000d","memory":"x","agent_id":"../etc"}"#.utf8), .badRequest,
                    "invalid_id"
                ),
                (.post, "/v1/users/u1/import", nil, [0x7B, 0xFF, 0x7D], .badRequest, "invalid_utf8"),
                (.post, "/v1/memories", #"{"user_id":"u1","messages":"hi"} trailing"#, nil, .badRequest, "malformed_json"),
                (.post, "/v1/memories", String(repeating: "[", count: 600), nil, .badRequest, "malformed_json"),
                (.post, "/v1/memories", #"{"user_id":"u1","messages":"hi","n":1e400}"#, nil, .badRequest, "malformed_json"),
                (.post, "/v3/memories/add/", nil, [0x7B, 0xFF, 0x7D], .badRequest, "invalid_utf8"),
                (.post, "/v3/memories/add/", "{oops", nil, .badRequest, "malformed_json"),
                // Punctuation only: the hashing embedder's zero vector, which nothing could find again.
                (
                    .post, "/v1/memories", #"{"messages":"?!…","user_id":"u1","infer":false,"async":false}"#, nil, .badRequest,
                    "invalid_argument"
                ),
                (.post, "/v1/admin/keys", #"{"tenant":"t","role":"root"}"#, nil, .badRequest, "invalid_role"),
                (.get, "/v1/nothing-here", nil, nil, .notFound, "route_not_found"),
                // Found by scripts/contract-fuzz.sh: a page number past Int's range trapped the server.
                (.post, "/v3/memories/?page=5344397846338003556892672", "{}", nil, .badRequest, "invalid_argument"),
                (.post, "/v3/memories/?page=inf", "{}", nil, .badRequest, "invalid_argument"),
                (.post, "/v2/memories/?page_size=null", #"{"page_size":1}"#, nil, .badRequest, "invalid_argument"),
                (.get, "/v1/memories/?user_id=", nil, nil, .badRequest, "invalid_id"),
                (.delete, "/v1/memories/", nil, nil, .badRequest, "missing_field"),
                // The Mem0 routes' synchronous add answers a wordless message as the native one does.
                (
                    .post, "/v3/memories/add/", #"{"messages":"?!…","user_id":"u1","infer":false,"async_mode":false}"#, nil, .badRequest,
                    "invalid_argument"
                ),
                (
                    .post, "/v1/memories/", #"{"messages":"?!…","user_id":"u1","infer":false,"async_mode":false}"#, nil, .badRequest,
                    "invalid_argument"
                ),
                // A wordless query finds nothing (below), rather than failing.
                (.delete, "/v1/users/a%2E%2E", nil, nil, .badRequest, "invalid_id"),
                (.get, "/v1/users?cursor=not%20an%20id", nil, nil, .badRequest, "invalid_cursor"),
                (.get, "/v1/memories?user_id=u1&cursor=12345678901234567890", nil, nil, .badRequest, "invalid_cursor"),
            ]
            for (method, uri, json, bytes, status, code) in cases {
                let reply = try await client.call(method, uri, json: json, bytes: bytes)
                #expect(reply.status == status, "\(method) \(uri) \(json ?? "") → \(reply.status) \(reply.text)")
                #expect(reply.code == code, "\(method) \(uri) \(json ?? "") → \(reply.text)")
                #expect(
                    reply.headers[.contentType]
                        == (uri.hasSuffix("/") || uri.contains("/?") ? "application/json" : "application/problem+json"))
            }
            let tooMany = (0..<201).map { _ in #"{"role":"user","content":"x"}"# }.joined(separator: ",")
            let many = try await client.call(.post, "/v1/memories", json: #"{"messages":[\#(tooMany)],"user_id":"u1"}"#)
            #expect(many.status == .badRequest && many.code == "too_many_messages")
            // An add's body may reach 8 MiB; a search's, 1 MiB.
            let huge = "{\"messages\":\"\(String(repeating: "a", count: 8_500_000))\",\"user_id\":\"u1\"}"
            let big = try await client.call(.post, "/v1/memories", json: huge)
            #expect(big.status == .contentTooLarge && big.code == "body_too_large")
            let longQuery = "{\"query\":\"\(String(repeating: "a", count: 1_100_000))\",\"user_id\":\"u1\"}"
            let bigSearch = try await client.call(.post, "/v1/memories/search", json: longQuery)
            #expect(bigSearch.status == .contentTooLarge && bigSearch.code == "body_too_large")
            let wordless = try await client.call(.post, "/v1/memories/search", json: #"{"query":"?!…","user_id":"u1","mode":"vector"}"#)
            #expect(wordless.status == .ok && wordless.results.isEmpty, "\(wordless.text)")
            let wordlessMem0 = try await client.call(.post, "/v3/memories/search/", json: #"{"query":"?!","user_id":"u1"}"#)
            #expect(wordlessMem0.status == .ok, "\(wordlessMem0.text)")
            // Path parameters arrive percent-encoded: `u%40x` is the valid user id `u@x`.
            #expect(try await client.call(.get, "/v1/users/u%40x/export").status == .ok)
            // Nothing was stored.
            #expect(try await client.call(.get, "/v1/memories?user_id=u1").results.isEmpty)
        }
    }
}

@Suite("A method a path lacks is a 405 with Allow")
struct MethodNotAllowedTests {
    @Test func wrongMethodOnAKnownPathIs405() async throws {
        try await ServiceHarness.run(workers: 0) { client in
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.init("TRACE")!, "/v1/me", "GET"),
                (.delete, "/v1/memories", "GET, POST"),
                (.get, "/v1/memories/search", "POST"),
                (.patch, "/v1/memories/00000000-0000-0000-0000-000000000000", "DELETE, GET, PUT"),
                (.post, "/v1/users/u1/export", "GET"),
                (.patch, "/v1/ping/", "GET"),
            ]
            for (method, uri, allow) in cases {
                let reply = try await client.call(method, uri)
                #expect(reply.status == .methodNotAllowed, "\(method) \(uri) → \(reply.status) \(reply.text)")
                #expect(reply.code == "method_not_allowed", "\(method) \(uri) → \(reply.text)")
                #expect(reply.headers[.allow] == allow, "\(method) \(uri)")
            }
            // A path that does not exist stays a 404; without a key the answer is still 401.
            #expect(try await client.call(.get, "/v1/nothing-here").status == .notFound)
            #expect(try await client.call(.delete, "/v1/memories", key: nil).status == .unauthorized)
        }
    }
}

@Suite("A cursor of the documented form is a position")
struct CursorFormTests {
    @Test func anyWellFormedCursorIsAccepted() async throws {
        try await ServiceHarness.run(workers: 0) { client in
            for text in ["alpha", "beta", "gamma"] {
                let added = try await client.call(
                    .post, "/v1/memories", json: #"{"messages":"I like \#(text)","user_id":"u-\#(text)","infer":false,"async":false}"#)
                #expect(added.status == .ok, "\(added.text)")
            }
            // One a page never issued: the page starts after that position.
            let memories = try await client.call(.get, "/v1/memories?user_id=u-alpha&cursor=0")
            #expect(memories.status == .ok && memories.results.count == 1, "\(memories.text)")
            #expect(try await client.call(.get, "/v1/memories?user_id=u-alpha&cursor=9999999999999999999").results.isEmpty)
            let users = try await client.call(.get, "/v1/users?cursor=u-b")
            #expect(users.status == .ok, "\(users.text)")
            #expect(users.results.compactMap { $0["user_id"]?.stringValue } == ["u-beta", "u-gamma"])
            // The cursor a page hands out leads to the next page.
            let first = try await client.call(.get, "/v1/users?limit=1")
            let cursor = try #require(first["next_cursor"]?.stringValue)
            let second = try await client.call(.get, "/v1/users?limit=1&cursor=\(cursor)")
            #expect(second.results.compactMap { $0["user_id"]?.stringValue } == ["u-beta"])
        }
    }
}

@Suite("A time derived from a request stays within ISO 8601's years")
struct DerivedTimeTests {
    @Test func tomorrowOfTheLastDayIsNotYear10000() async throws {
        try await ServiceHarness.run(workers: 0) { client in
            let added = try await client.call(
                .post, "/v1/memories",
                json:
                    #"{"messages":[{"role":"user","content":"Tomorrow I go hiking in the Alps"}],"user_id":"u1","timestamp":"9999-12-31","async":false}"#
            )
            #expect(added.status == .ok, "\(added.text)")
            let listed = try await client.call(.get, "/v1/memories?user_id=u1")
            #expect(!listed.results.isEmpty, "\(listed.text)")
            for memory in listed.results {
                let time = memory["occurred_at"]?.stringValue
                #expect(time == nil || time!.hasPrefix("9999"), "\(memory)")
            }
        }
    }
}
