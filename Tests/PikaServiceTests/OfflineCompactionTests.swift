import Foundation
import PikaTestSupport
import Testing

/// `pika index compact --data-dir D` on a stopped service's data directory writes segments of the
/// service's shape: no graph files, the int8 scan copy only under `PIKA_SCAN_COPIES=on`.
@Suite("Offline compaction of a service data directory", .blockingWork)
struct OfflineCompactionTests {
    func pika(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, output: String) {
        try await ServerProcess.run(arguments, environment: environment)
    }

    /// Segment files of the directory's store, by name, with their sizes.
    func segmentFiles(_ directory: String) throws -> [String: Int] {
        let folder = directory + "/memories"
        var files: [String: Int] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) where name.hasPrefix("seg-") {
            files[name] = try FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.size] as? Int ?? 0
        }
        return files
    }

    @Test("no graphs; the scan copy follows PIKA_SCAN_COPIES; a bad value exits 2 naming it; every memory is still served")
    func compactKeepsTheServiceShape() async throws {
        let directory = ServiceHarness.temporaryDirectory()
        let texts = (0..<40).map { "note \($0) about the river and the garden" }
        do {
            let server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 0)
            defer { server.kill9() }
            try await server.waitUntilReady()
            for text in texts {
                let (status, reply) = try await server.request(
                    "POST", "/v1/memories", body: #"{"user_id":"u1","messages":"\#(text)","infer":false,"async":false}"#)
                #expect(status == 200, "\(reply)")
            }
            try await server.kill9AndWait()
        }

        let refused = try await pika(["index", "compact", "--data-dir", directory], environment: ["PIKA_SCAN_COPIES": "yes"])
        #expect(refused.status == 2 && refused.output.contains("PIKA_SCAN_COPIES"), "\(refused.output)")

        let plain = try await pika(["index", "compact", "--data-dir", directory])
        #expect(plain.status == 0, "\(plain.output)")
        let withoutCopy = try segmentFiles(directory)
        #expect(!withoutCopy.isEmpty && withoutCopy.keys.allSatisfy { !$0.hasSuffix(".chnsw") }, "\(withoutCopy)")

        let copied = try await pika(["index", "compact", "--data-dir", directory], environment: ["PIKA_SCAN_COPIES": "on"])
        #expect(copied.status == 0, "\(copied.output)")
        let withCopy = try segmentFiles(directory)
        #expect(withCopy.keys.allSatisfy { !$0.hasSuffix(".chnsw") }, "\(withCopy)")
        let bytes = { (files: [String: Int]) in files.filter { $0.key.hasSuffix(".pseg") }.values.reduce(0, +) }
        // The int8 copy: a byte per dimension per row (the hashing embedder makes 384).
        #expect(bytes(withCopy) - bytes(withoutCopy) >= texts.count * 384, "\(withCopy) against \(withoutCopy)")

        let server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 0)
        defer { server.kill9() }
        try await server.waitUntilReady()
        let (_, list) = try await server.request("GET", "/v1/memories?user_id=u1&limit=100")
        let served = (list["results"] as? [[String: Any]] ?? []).compactMap { $0["memory"] as? String }
        #expect(Set(served) == Set(texts))
    }
}
