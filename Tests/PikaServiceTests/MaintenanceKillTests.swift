import Foundation
import PikaService
import PikaTestSupport
import Testing

/// SIGKILL of `pika serve` while it seals, compacts or writes a snapshot (asked through the control
/// channel, as the CLI asks): after a restart every acknowledged write is there with its history,
/// the files verify, and a snapshot folder is either whole or absent.
@Suite("Kill -9 during seal, compaction and snapshot", .blockingWork)
struct MaintenanceKillTests {
    func startCLI(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(
            name: arguments.first ?? "pika", executable: ServerProcess.executable.path, arguments: arguments,
            environment: ["PATH": "/usr/bin:/bin", "PIKA_LOG_LEVEL": "error"])
    }

    /// Every memory text of `user`, through the paginated list.
    func texts(_ server: ServerProcess, user: String) async throws -> Set<String> {
        var texts: Set<String> = []
        var cursor: String?
        repeat {
            let path = "/v1/memories?user_id=\(user)&limit=100" + (cursor.map { "&cursor=\($0)" } ?? "")
            let (status, page) = try await server.request("GET", path)
            #expect(status == 200)
            for item in page["results"] as? [[String: Any]] ?? [] { if let text = item["memory"] as? String { texts.insert(text) } }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        return texts
    }

    @Test(
        "six kills at random moments of compact and snapshot: acknowledged writes and their history survive, files verify, snapshots are whole or absent"
    )
    func killsDuringMaintenance() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        var server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 1)
        try await server.waitUntilReady()
        var expected: [String: Set<String>] = [:]
        var deleted: [(id: String, text: String)] = []
        var interrupted = 0
        for cycle in 0..<6 {
            let user = "u\(cycle % 3)"
            let messages = (0..<200).map { #"{"role":"user","content":"cycle \#(cycle) note \#($0) for \#(user)"}"# }
            let (status, added) = try await server.request(
                "POST", "/v1/memories",
                body: #"{"user_id":"\#(user)","infer":false,"async":false,"messages":[\#(messages.joined(separator: ","))]}"#)
            #expect(status == 200)
            let results = (added["results"] as? [[String: Any]] ?? []).compactMap { item in
                (item["id"] as? String).flatMap { id in (item["memory"] as? String).map { (id: id, text: $0) } }
            }
            #expect(results.count == 200)
            expected[user, default: []].formUnion(results.map(\.text))
            // Deleted rows give the compaction something to drop.
            for gone in results.prefix(20) {
                #expect(try await server.request("DELETE", "/v1/memories/\(gone.id)").0 == 200)
                expected[user]?.remove(gone.text)
                deleted.append(gone)
            }

            let snapshot = directory + "-snapshot-\(cycle)"
            let (path, body) = cycle % 2 == 0 ? ("/internal/v1/compact", "{}") : ("/internal/v1/snapshot", #"{"out":"\#(snapshot)"}"#)
            let channel = try #require(ControlChannel.read(in: directory))
            let work = Task { await Self.post(channel, path, body) }
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...40)))
            try await server.kill9AndWait()
            let answered = await work.value
            if answered == nil { interrupted += 1 }

            server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 1)
            try await server.waitUntilReady()
            for (user, want) in expected { #expect(try await texts(server, user: user) == want, "cycle \(cycle), \(user)") }
            let verify = try startCLI(["index", "verify", "--data-dir", directory])
            try await verify.waitForExit(within: .seconds(60))
            #expect(verify.exitCode == 0, "cycle \(cycle): \(verify.logTail)")
            if cycle % 2 == 1 && FileManager.default.fileExists(atPath: snapshot) {
                for file in ["pika.sqlite", "memories.snapshot"] {
                    #expect(
                        FileManager.default.fileExists(atPath: snapshot + "/" + file), "cycle \(cycle): \(file) missing from a snapshot")
                }
            }
        }
        for gone in deleted.shuffled().prefix(5) {
            let (_, history) = try await server.request("GET", "/v1/memories/\(gone.id)/history")
            let events = history["results"] as? [[String: Any]] ?? []
            #expect(events.map { $0["event"] as? String } == ["ADD", "DELETE"])
            #expect(events.first?["new_memory"] as? String == gone.text && events.last?["old_memory"] as? String == gone.text)
        }
        server.kill9()
        // The kills are meant to land inside the work (a seal, a compaction or a snapshot each takes
        // milliseconds with fsyncs): at least one request must have died unanswered.
        #expect(interrupted >= 1, "none of 6 kills interrupted the work")
    }

    /// Posts to a control route, as the CLI does; the answer's status, nil when the server died first.
    static func post(_ channel: ControlChannel, _ path: String, _ body: String) async -> Int? {
        do throws(ControlChannel.RequestError) {
            _ = try await channel.post(path, body: Data(body.utf8), timeout: .seconds(120))
            return 200
        } catch {
            guard case .refused(let status, _, _) = error else { return nil }
            return status
        }
    }
}
