import Foundation
import Hummingbird
import HummingbirdTesting
import PikaMemory
import Testing

/// The memory-quality issue's bad input, through the HTTP API: no guessed dates, large adds.
@Suite("Memory quality: bad input through the API")
struct MemoryQualityInputTests {
    /// A made-up place per `k`: sentences about different places are not near-duplicates.
    static func place(_ k: Int) -> String {
        let syllables = ["ka", "lo", "mi", "tu", "re", "sa", "no", "vi", "pe", "du"]
        return "the fence of "
            + [0, 1, 2].map { salt in
                (syllables[(k + salt) % 10] + syllables[(k / 10 + 3 * salt) % 10] + "n").capitalized
            }.joined(separator: " and ")
    }

    @Test func withoutATimestampNoDateIsGuessed() async throws {
        try await ServiceHarness.run { client in
            let added = try await client.call(
                .post, "/v1/memories",
                json: #"""
                    {"messages":[{"role":"user","name":"Ana","content":"Yesterday I ran my first half marathon in Hue."}],"user_id":"u1","async":false}
                    """#)
            #expect(added.results.map { $0["memory"]?.stringValue } == ["Yesterday Ana ran Ana's first half marathon in Hue."])
            let listed = try await client.call(.get, "/v1/memories?user_id=u1")
            let event = try #require(listed.results.first)
            #expect(event["kind"]?.stringValue == "event")
            #expect(event["occurred_at"] == nil || event["occurred_at"] == .null)
        }
    }

    @Test func anAddPastEightMiBIsTooLarge() async throws {
        try await ServiceHarness.run { client in
            let message = #"{"role":"user","content":"\#(String(repeating: "I went to the lake. ", count: 2_200))"}"#
            let body = #"{"user_id":"u1","messages":[\#(Array(repeating: message, count: 200).joined(separator: ","))]}"#
            #expect(body.utf8.count > 8 << 20)
            let reply = try await client.call(.post, "/v1/memories", json: body)
            #expect(reply.status == .contentTooLarge && reply.code == "body_too_large")
        }
    }

    /// Issue 16's large add (200 messages of 20,000 characters, about 4 MB) as a job: it completes on
    /// its first attempt and keeps each sentence at most once, however often the messages repeat it.
    @Test func twoHundredMessagesOfTwentyThousandCharactersCompleteAndKeepNothingTwice() async throws {
        try await ServiceHarness.run { client in
            let messages = (0..<200).map { index -> String in
                var text = ""
                var k = index * 7
                while text.count < 20_000 - 80 {
                    text += "Last weekend I repaired \(Self.place(k % 100)) with my uncle. "
                    k += 1
                }
                return #"{"role":"user","name":"Ana","content":"\#(text)"}"#
            }
            let body = #"{"user_id":"u1","timestamp":"2023-05-08T12:00:00Z","messages":[\#(messages.joined(separator: ","))]}"#
            #expect(body.utf8.count > 4_000_000 && body.utf8.count <= 8 << 20)
            let accepted = try await client.call(.post, "/v1/memories", json: body)
            #expect(accepted.status == .accepted)
            let id = try #require(accepted["job_id"]?.stringValue)
            var job = accepted
            for _ in 0..<1_200 {
                job = try await client.call(.get, "/v1/jobs/\(id)")
                if ["completed", "failed"].contains(job["status"]?.stringValue ?? "") { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(job["status"]?.stringValue == "completed")
            #expect(job["attempts"]?.numberValue == 1)
            var texts: [String] = []
            var cursor: String?
            repeat {
                let page = try await client.call(.get, "/v1/memories?user_id=u1&limit=100" + (cursor.map { "&cursor=\($0)" } ?? ""))
                texts += page.results.compactMap { $0["memory"]?.stringValue }
                cursor = page["next_cursor"]?.stringValue
            } while cursor != nil
            let sentences = texts.flatMap { EventRewriter.sentences($0) }
            #expect(!sentences.isEmpty && Set(sentences).count == sentences.count)
            #expect(
                Set(sentences).isSubset(
                    of: Set(
                        (0..<100).map {
                            "On the weekend of 6 May 2023 Ana repaired \(Self.place($0)) with Ana's uncle."
                        })))
        }
    }
}
