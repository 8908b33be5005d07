import Foundation
import Hummingbird
import HummingbirdTesting
import PikaMemory
import Testing

/// `/readyz` answers at once after a restart, says the keyword indexes are building until the
/// background prebuild has built every user's (the segment store lists its users), then ready, and
/// answers are the same as before the restart.
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
                bodies.append(Self.normalized(reply.text))
            }
        }
        return bodies
    }

    /// An answer with its scores rounded to 5 decimals: before the restart a user's memories are in
    /// the growing segment (scored by the engine's scan), after it in a sealed one (the int8 scan's
    /// exact f32 rescoring), and the two sum a dot product in different orders (last-bit differences).
    static func normalized(_ body: String) -> String {
        guard var object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else { return body }
        object["results"] = (object["results"] as? [[String: Any]] ?? []).map { result in
            var result = result
            if let score = result["score"] as? Double { result["score"] = (score * 100_000).rounded() / 100_000 }
            return result
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    @Test func readinessSaysWhenThePrebuildIsDoneAndAnswersStayTheSame() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        let before = try await ServiceHarness.run(dataDirectory: directory) { client in
            for (n, user) in Self.users.enumerated() {
                let messages = ["I love dinosaurs", "My dog eats salmon", "I drink green tea", "I play the violin \(n)"]
                    .map { #"{"role":"user","content":"\#($0)"}"# }.joined(separator: ",")
                let added = try await client.call(
                    .post, "/v1/memories", json: #"{"messages":[\#(messages)],"user_id":"\#(user)","infer":false,"async":false}"#)
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
            #expect(ready["memories"]?.numberValue == 12)
            #expect(try await answers(client) == before)
        }
    }
}
