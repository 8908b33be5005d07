import Foundation
import PikaTestSupport
import Testing

/// `pika serve` on a data directory whose file system fills up (a small tmpfs; mounting one needs
/// root, so the suite runs only as root): writes fail with 503 and a problem body, nothing
/// acknowledged is lost, reads keep working, and after a restart with room again writes succeed.
@Suite("A full disk", .blockingWork, .enabled(if: getuid() == 0, "mounting a tmpfs needs root"))
struct FullDiskTests {
    func run(_ executable: String, _ arguments: [String]) async throws -> Int32 {
        let child = try ChildProcess(name: "mount", executable: executable, arguments: arguments, environment: ["PATH": "/usr/bin:/bin"])
        try await child.waitForExit(within: .seconds(30))
        return child.exitCode ?? -1
    }

    @Test("writes fail with 503 when the disk is full, nothing acknowledged is lost, and writes resume after a restart with room")
    func fullDisk() async throws {
        let mountPoint = ServiceHarness.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        try #require(try await run("/bin/mount", ["-t", "tmpfs", "-o", "size=6m", "tmpfs", mountPoint]) == 0)
        defer { _ = try? ChildProcess(name: "umount", executable: "/bin/umount", arguments: ["-l", mountPoint], environment: [:]) }
        // Room that can be given back later.
        let filler = mountPoint + "/filler"
        try Data(count: 2 << 20).write(to: URL(fileURLWithPath: filler))
        let directory = mountPoint + "/data"
        var server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 1)
        try await server.waitUntilReady()

        var acknowledged: Set<String> = []
        var refusal: (status: Int, body: [String: Any])?
        for batch in 0..<200 {
            let messages = (0..<50).map {
                #"{"role":"user","content":"batch \#(batch) note \#($0) \#(String(repeating: "x", count: 300))"}"#
            }
            let (status, reply) = try await server.request(
                "POST", "/v1/memories",
                body: #"{"user_id":"u1","infer":false,"async":false,"messages":[\#(messages.joined(separator: ","))]}"#)
            guard status == 200 else {
                refusal = (status, reply)
                break
            }
            for item in reply["results"] as? [[String: Any]] ?? [] { if let text = item["memory"] as? String { acknowledged.insert(text) } }
        }
        let (status, body) = try #require(refusal, "the disk never filled")
        #expect(status == 503, "\(body)")
        #expect(body["code"] as? String != nil && body["detail"] as? String != nil, "\(body)")
        #expect(!acknowledged.isEmpty)
        let (searched, _) = try await server.request("POST", "/v1/memories/search", body: #"{"user_id":"u1","query":"batch 1 note 2"}"#)
        #expect(searched == 200)

        // /readyz says why: 503 when a write was logged but not projected into history (the store is
        // read-only until reopened, and the note is replayed then), else the full file system among
        // the storage problems (a write refused before anything was logged leaves the store healthy).
        let (ready, why) = try await server.request("GET", "/readyz")
        #expect(ready == 503 || (why["storage_problems"] as? [Any])?.isEmpty == false, "\(why)")

        try FileManager.default.removeItem(atPath: filler)
        try await server.kill9AndWait()
        server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 1)
        defer { server.kill9() }
        try await server.waitUntilReady()
        let (again, reply) = try await server.request(
            "POST", "/v1/memories",
            body: #"{"user_id":"u2","infer":false,"async":false,"messages":"written after the disk had room again"}"#)
        #expect(again == 200, "\(reply)")
        var listed: Set<String> = []
        var cursor: String?
        repeat {
            let (_, page) = try await server.request("GET", "/v1/memories?user_id=u1&limit=100" + (cursor.map { "&cursor=\($0)" } ?? ""))
            for item in page["results"] as? [[String: Any]] ?? [] { if let text = item["memory"] as? String { listed.insert(text) } }
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        #expect(acknowledged.isSubset(of: listed), "\(acknowledged.subtracting(listed).count) acknowledged memories lost")
        let (_, other) = try await server.request("GET", "/v1/memories?user_id=u2")
        #expect((other["results"] as? [[String: Any]])?.count == 1)
    }
}
