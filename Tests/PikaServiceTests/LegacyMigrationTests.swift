import Foundation
import PikaTestSupport
import Testing

/// A data directory written by the release before the segment store (memories and their embeddings
/// in `pika.sqlite`; fixture made by `Fixtures/make-legacy-fixture.sh` with that release's binary)
/// is moved into the segment store on the first start: the same memories, ids, history and search
/// answers as that release gave (equal scores now in id order), and the rows leave `pika.sqlite`.
@Suite("Migration from the release before the segment store", .blockingWork)
struct LegacyMigrationTests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/release-74c1fc1")

    @Test("the first start moves the memories; memories, history and search answers are those the old release gave")
    func firstStartMigrates() async throws {
        let expected = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixture.appendingPathComponent("expected.json"))) as? [String: Any]
        )
        let directory = ServiceHarness.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Self.fixture.appendingPathComponent("pika.sqlite").path, toPath: directory + "/pika.sqlite")
        for restart in 0..<2 {
            let server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 0)
            try await server.waitUntilReady()
            for (user, memories) in expected["users"] as? [String: [[String: String]]] ?? [:] {
                let (_, list) = try await server.request("GET", "/v1/memories?user_id=\(user)&limit=100")
                let got = (list["results"] as? [[String: Any]] ?? []).map {
                    ["id": $0["id"] as? String ?? "", "memory": $0["memory"] as? String ?? ""]
                }
                #expect(got.sorted { $0["id"]! < $1["id"]! } == memories, "start \(restart), user \(user)")
            }
            for (id, events) in expected["histories"] as? [String: [[Any]]] ?? [:] {
                let (_, history) = try await server.request("GET", "/v1/memories/\(id)/history")
                let got = (history["results"] as? [[String: Any]] ?? []).map { entry in
                    "\(entry["event"] ?? "")|\(entry["old_memory"] as? String ?? "-")|\(entry["new_memory"] as? String ?? "-")"
                }
                let want = events.map { "\($0[0])|\($0[1] as? String ?? "-")|\($0[2] as? String ?? "-")" }
                #expect(got == want, "start \(restart), history of \(id)")
            }
            let deleted = try #require(expected["deleted"] as? String)
            #expect(try await server.request("GET", "/v1/memories/\(deleted)").0 == 404)
            for (key, ids) in expected["searches"] as? [String: [String]] ?? [:] {
                let parts = key.split(separator: "|").map(String.init)
                func ranked(limit: Int) async throws -> [(id: String, score: Double)] {
                    let body = #"{"user_id":"\#(parts[0])","query":"\#(parts[1])","mode":"vector","limit":\#(limit)}"#
                    let (_, answer) = try await server.request("POST", "/v1/memories/search", body: body)
                    return (answer["results"] as? [[String: Any]] ?? []).map { ($0["id"] as? String ?? "", $0["score"] as? Double ?? .nan) }
                }
                let top = try await ranked(limit: 3)
                let wide = try await ranked(limit: 10)
                #expect(top.map(\.id) == wide.prefix(3).map(\.id), "start \(restart), \(key)")
                // The old release's i-th answer scores as the i-th now: the same ranking, except that
                // equal scores now go by id where that release kept insertion order.
                let score = Dictionary(wide.map { ($0.id, $0.score) }, uniquingKeysWith: { a, _ in a })
                #expect(ids.map { score[$0] } == top.map(\.score), "start \(restart), \(key)")
                for (a, b) in zip(top, top.dropFirst()) where a.score == b.score {
                    #expect(a.id < b.id, "start \(restart), \(key): equal scores out of id order")
                }
            }
            try await server.kill9AndWait()
        }
        #expect(FileManager.default.fileExists(atPath: directory + "/memories/MANIFEST"))
    }
}
