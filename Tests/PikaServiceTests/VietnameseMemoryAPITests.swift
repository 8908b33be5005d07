import Foundation
import Hummingbird
import HummingbirdTesting
import PikaMemory
import Testing

/// A Vietnamese child's message through the HTTP API: kept in Vietnamese, and her preference
/// questions, with and without tones, answered from it.
@Suite("Vietnamese memories through the API")
struct VietnameseMemoryAPITests {
    static let add = #"""
        {"messages":[{"role":"user","content":"Em tên là Lan. Em thích mèo và em học lớp 3 ở trường Hoa Sen. Hôm qua em đi sở thú với bà."}],
         "timestamp":"2026-12-06T09:00:00+07:00","user_id":"lan","async":false}
        """#

    @Test func theIssuesMessageIsKeptInVietnameseAndAnswersHerQuestions() async throws {
        try await ServiceHarness.run { client in
            let added = try await client.call(.post, "/v1/memories", json: Self.add)
            #expect(added.status == .ok)
            #expect(
                added.results.compactMap { $0["memory"]?.stringValue }
                    == ["Tên là Lan", "Lan thích mèo", "Lan học lớp 3 ở trường Hoa Sen", "Ngày 5/12/2026 Lan đi sở thú với bà."])
            #expect(added.results.map { $0["event"]?.stringValue } == ["ADD", "ADD", "ADD", "ADD"])
            let listed = try await client.call(.get, "/v1/memories?user_id=lan&limit=10")
            let outing = try #require(listed.results.first { $0["kind"]?.stringValue == "event" })
            #expect(outing["occurred_at"]?.stringValue == "2026-12-05T00:00:00.000Z")

            // Preference questions, with tones and without, in the default (hybrid) mode and on keywords alone.
            for (query, mode) in [
                ("Em thích gì?", "hybrid"), ("Lan thích con gì?", "hybrid"), ("em thich meo", "hybrid"),
                ("em thich gi", "hybrid"), ("lan thich con gi", "hybrid"), ("em thich meo", "keyword"),
                ("Lan thích con gì?", "keyword"),
            ] {
                let found = try await client.call(
                    .post, "/v1/memories/search",
                    json: #"""
                        {"query":"\#(query)","user_id":"lan","mode":"\#(mode)","limit":3}
                        """#)
                #expect(found.status == .ok)
                #expect(found.results.first?["memory"]?.stringValue == "Lan thích mèo", "\(query) (\(mode))")
            }
            // The school and the outing answer their own questions.
            let school = try await client.call(
                .post, "/v1/memories/search", json: #"{"query":"Lan học trường nào?","user_id":"lan","limit":1}"#)
            #expect(school.results.first?["memory"]?.stringValue == "Lan học lớp 3 ở trường Hoa Sen")
            let outingSearch = try await client.call(
                .post, "/v1/memories/search",
                json: #"""
                    {"query":"Hôm qua em đi đâu?","user_id":"lan","limit":1,"reference_time":"2026-12-06T10:00:00+07:00"}
                    """#)
            #expect(outingSearch.results.first?["memory"]?.stringValue == "Ngày 5/12/2026 Lan đi sở thú với bà.")
        }
    }

    @Test func aNamedSpeakerAndAChangedMind() async throws {
        try await ServiceHarness.run { client in
            _ = try await client.call(
                .post, "/v1/memories",
                json: #"""
                    {"messages":[{"role":"user","name":"Minh","content":"Con thích cà rốt lắm ạ."}],"user_id":"minh","async":false}
                    """#)
            let changed = try await client.call(
                .post, "/v1/memories",
                json: #"""
                    {"messages":[{"role":"user","name":"Minh","content":"Con không thích cà rốt nữa."}],"user_id":"minh","async":false}
                    """#)
            // One slot (pref:cà rốt): the dislike updates the like, in Vietnamese.
            #expect(changed.results.map { $0["event"]?.stringValue } == ["UPDATE"])
            let all = try await client.call(.get, "/v1/memories?user_id=minh")
            #expect(all.results.compactMap { $0["memory"]?.stringValue } == ["Minh không thích cà rốt"])
        }
    }
}
