import Foundation
import PikaTestSupport
import Testing

/// The Mem0 SDKs from PyPI (`mem0ai` 2.x and 1.0.x, in the virtualenvs scripts/setup.sh makes) run
/// unchanged against the real `pika serve` binary: Tests/mem0/sdk_check.py calls every client method
/// the issue names and checks each answer, and that a key of another tenant sees none of it.
@Suite("Mem0 SDK against pika serve", .serialized, .blockingWork)
struct Mem0SDKTests {
    @Test(arguments: ["2", "1"]) func sdkWorksUnchanged(major: String) async throws {
        let root = OpenAPIDocumentTests.repositoryRoot
        let python = root.appendingPathComponent(".venv-mem0/\(major)/bin/python").path
        try #require(
            FileManager.default.isExecutableFile(atPath: python),
            "no mem0ai \(major).x virtualenv at \(python): run scripts/setup.sh")
        let directory = ServiceHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let server = try ServerProcess(dataDirectory: directory, port: try freeLoopbackPort(), workers: 2)
        defer { server.kill9() }
        try await server.waitUntilReady()
        var keys: [String] = []
        for tenant in ["acme", "rival"] {
            let (status, body) = try await server.request("POST", "/v1/admin/keys", body: #"{"tenant":"\#(tenant)","role":"write"}"#)
            #expect(status == 201)
            keys.append(try #require(body["key"] as? String))
        }
        let home = ServiceHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: home) }
        let check = try ChildProcess(
            name: "mem0-sdk-\(major)", executable: python,
            arguments: [
                root.appendingPathComponent("Tests/mem0/sdk_check.py").path, "http://127.0.0.1:\(server.port)", keys[0], keys[1], major,
            ],
            environment: ["PATH": "/usr/bin:/bin", "HOME": home, "MEM0_TELEMETRY": "False", "PYTHONUNBUFFERED": "1"])
        try await check.waitForExit(within: .seconds(300))
        #expect(check.exitCode == 0, "\(check.logTail)")
        #expect(check.logTail.contains("mem0 sdk check passed"), "\(check.logTail)")
    }
}
