import Foundation
import PikaTestSupport
import Testing

/// The CLI on the data directory of a running `pika serve`: stats, verify and export read it,
/// snapshot create asks the service, and a service started on the restored snapshot answers the
/// same searches with the same memories, history, jobs and graph.
@Suite("CLI on a live service's data directory", .blockingWork)
struct LiveDataDirectoryTests {
    /// Runs `pika ARGS`; returns its exit status and output.
    func pika(_ arguments: [String]) async throws -> (status: Int32, output: String) { try await ServerProcess.run(arguments) }

    func texts(_ server: ServerProcess) async throws -> [String] {
        let (_, list) = try await server.request("GET", "/v1/memories?user_id=u1&limit=100")
        return (list["results"] as? [[String: Any]] ?? []).compactMap { $0["memory"] as? String }.sorted()
    }

    @Test("stats, verify, export and snapshot create work while pika serve runs; the restored copy answers the same")
    func snapshotOfALiveService() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        let server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 1)
        defer { server.kill9() }
        try await server.waitUntilReady()
        let (added, reply) = try await server.request(
            "POST", "/v1/memories", body: #"{"user_id":"u1","messages":"My dog is called Bim. I like dinosaurs.","async":false}"#)
        #expect(added == 200, "\(reply)")
        let (_, verbatim) = try await server.request(
            "POST", "/v1/memories", body: #"{"user_id":"u1","messages":"We went to the zoo with grandma","infer":false,"async":false}"#)
        let zooID = try #require((verbatim["results"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(try await server.request("PUT", "/v1/memories/\(zooID)", body: #"{"text":"We went to the zoo with grandpa"}"#).0 == 200)
        let (_, job) = try await server.request("POST", "/v1/memories", body: #"{"user_id":"u1","messages":"My name is Lan"}"#)
        let jobID = try #require(job["job_id"] as? String)
        for _ in 0..<200 where (try await server.request("GET", "/jobs/\(jobID)").1["status"] as? String) != "completed" {
            try await Task.sleep(for: .milliseconds(25))
        }

        let stats = try await pika(["index", "stats", "--data-dir", directory])
        #expect(stats.status == 0 && stats.output.contains("\"records\":"), "\(stats.output)")
        let verify = try await pika(["index", "verify", "--data-dir", directory])
        #expect(verify.status == 0, "\(verify.output)")
        let export = try await pika(["export", "--data-dir", directory, "--tenant", "default", "--user", "u1"])
        #expect(export.status == 0 && export.output.contains("grandpa"), "\(export.output)")

        let snapshot = directory + "-snapshot"
        let created = try await pika(["snapshot", "create", "--data-dir", directory, "--out", snapshot])
        #expect(created.status == 0 && created.output.contains("\"memories\""), "\(created.output)")
        // Writes after the snapshot are not in it.
        _ = try await server.request("POST", "/v1/memories", body: #"{"user_id":"u1","messages":"later note","infer":false,"async":false}"#)

        let restoredDirectory = directory + "-restored"
        let restored = try await pika(["snapshot", "restore", "--from", snapshot, "--data-dir", restoredDirectory])
        #expect(restored.status == 0, "\(restored.output)")
        let copy = try ServerProcess(dataDirectory: restoredDirectory, port: try freeLoopbackPort(), workers: 0)
        defer { copy.kill9() }
        try await copy.waitUntilReady()
        let original = try await texts(server)
        #expect(original.contains("later note"))
        #expect(try await texts(copy) == original.filter { $0 != "later note" })
        for path in ["/v1/memories/\(zooID)/history", "/jobs/\(jobID)", "/v1/users/u1/graph"] {
            let (a, left) = try await server.request("GET", path)
            let (b, right) = try await copy.request("GET", path)
            #expect(a == 200 && b == 200)
            #expect(NSDictionary(dictionary: left) == NSDictionary(dictionary: right), "\(path): \(left) vs \(right)")
        }
        let query = #"{"user_id":"u1","query":"what pet does the user have?","mode":"hybrid"}"#
        let (_, left) = try await server.request("POST", "/v1/memories/search", body: query)
        let (_, right) = try await copy.request("POST", "/v1/memories/search", body: query)
        let ids = { (json: [String: Any]) in (json["results"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } }
        #expect(ids(left).first == ids(right).first)
        #expect(!ids(right).isEmpty)

        // A bad snapshot target and a non-empty restore target are refused with a message.
        let again = try await pika(["snapshot", "create", "--data-dir", directory, "--out", snapshot])
        #expect(again.status == 1 && again.output.contains("exists"), "\(again.output)")
        let over = try await pika(["snapshot", "restore", "--from", snapshot, "--data-dir", restoredDirectory])
        #expect(over.status == 1 && over.output.contains("--force"), "\(over.output)")
    }

    @Test("pika import while pika serve runs: the service embeds and commits the lines, once; a different embedder is refused")
    func importIntoALiveService() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        let server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 1)
        defer { server.kill9() }
        try await server.waitUntilReady()
        let file = directory + "-import.jsonl"
        let lines = ["I keep bees on the roof", "My sister lives in Hue"].map {
            #"{"id":"\#(UUID().uuidString.lowercased())","memory":"\#($0)","kind":"event"}"#
        }
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let arguments = ["import", "--data-dir", directory, "--tenant", "default", "--user", "u1", "--in", file]

        let first = try await pika(arguments)
        #expect(first.status == 0 && first.output.contains(#""imported":2"#), "\(first.output)")
        #expect(try await texts(server) == ["I keep bees on the roof", "My sister lives in Hue"])
        let query = #"{"user_id":"u1","query":"bees on the roof","mode":"vector","limit":1}"#
        let (_, found) = try await server.request("POST", "/v1/memories/search", body: query)
        #expect((found["results"] as? [[String: Any]])?.first?["memory"] as? String == "I keep bees on the roof")
        let second = try await pika(arguments)
        #expect(second.status == 0 && second.output.contains(#""skipped":2"#), "\(second.output)")
        let other = try await pika(arguments + ["--embedder", "minilm"])
        #expect(other.status == 1 && other.output.contains("embeds with"), "\(other.output)")
        #expect(try await texts(server).count == 2)
    }
}
