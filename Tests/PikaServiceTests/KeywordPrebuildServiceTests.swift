import Foundation
import Hummingbird
import HummingbirdTesting
import PikaMemory
import Testing

/// `pika serve` builds every loaded user's keyword index after start-up, in the background:
/// `/readyz` answers at once and says when the prebuild is done, and answers are the same as
/// before the restart.
@Suite("Keyword index prebuild in the service")
struct KeywordPrebuildServiceTests {
    static let users = ["u1", "u2", "u3"]
    static let questions = ["dinosaurs and tea", "what does my dog eat", "violin"]

    /// The search answers (bodies) of every user and question.
    func answers(_ client: any TestClientProtocol) async throws -> [String] {
        var bodies: [String] = []
        for user in Self.users {
            for question in Self.questions {
                let reply = try await client.call(.post, "/search_facts", json: #"{"query":"\#(question)","user_id":"\#(user)","limit":5}"#)
                #expect(reply.status == .ok)
                bodies.append(reply.text)
            }
        }
        return bodies
    }

    @Test func readinessSaysWhenThePrebuildIsDoneAndAnswersStayTheSame() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        let before = try await ServiceHarness.run(dataDirectory: directory) { client in
            for (n, user) in Self.users.enumerated() {
                let messages = ["I love dinosaurs", "My dog eats salmon", "I drink green tea", "I play the violin \(n)"]
                    .map { #"{"role":"user","content":"\#($0)"}"# }.joined(separator: ",")
                let added = try await client.call(.post, "/v1/memories", json: #"{"messages":[\#(messages)],"user_id":"\#(user)","infer":false,"async":false}"#)
                #expect(added.status == .ok && added.results.count == 4)
            }
            return try await answers(client)
        }
        #expect(before.count == 9 && before.allSatisfy { $0.contains("\"results\":[{") })

        try await ServiceHarness.run(dataDirectory: directory) { client in
            let start = ContinuousClock.now
            var ready = try await client.call(.get, "/readyz", key: nil)
            #expect(ready.status == .ok && ["building", "ready"].contains(ready["keyword_indexes"]?.stringValue))
            while ready["keyword_indexes"]?.stringValue != "ready", ContinuousClock.now - start < .seconds(120) {
                try await Task.sleep(for: .milliseconds(20))
                ready = try await client.call(.get, "/readyz", key: nil)
            }
            #expect(ready["keyword_indexes"]?.stringValue == "ready", "the prebuild did not finish within 120 s")
            #expect(ready["memories"]?.stringValue == "12")
            #expect(try await answers(client) == before)
        }
    }
}
