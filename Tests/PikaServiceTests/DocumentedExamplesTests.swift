import Foundation
import PikaTestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// scripts/run.sh starts the service on the MiniLM embedder, whose model scripts/setup.sh fetches.
private let modelPresent = FileManager.default.fileExists(
    atPath: OpenAPIDocumentTests.repositoryRoot.appendingPathComponent("models/all-MiniLM-L6-v2/model.safetensors").path)

/// Every `curl` example of the README and docs/api.md runs, as written and in page order, against the
/// service as `scripts/run.sh` starts it (embedded defaults, the key it generates in `data/admin.key`,
/// a real socket), and each request answers the status the page writes after it (`# → 200`).
@Suite("Documented curl examples")
struct DocumentedExamplesTests {
    static let pages = ["README.md", "docs/api.md"]

    static func examples() throws -> [DocumentedExample] {
        try pages.flatMap { page in
            let text = try String(contentsOf: OpenAPIDocumentTests.repositoryRoot.appendingPathComponent(page), encoding: .utf8)
            return DocumentedExample.parse(text, file: page)
        }
    }

    @Test("the pages' curl blocks are found, each with a status per request")
    func pagesHaveExamples() throws {
        let examples = try Self.examples()
        #expect(examples.filter { $0.location.hasPrefix("README.md") }.count == 1)
        #expect(examples.count >= 10, "\(examples.map(\.location))")
        for example in examples { #expect(!example.statuses.isEmpty, "\(example.location) states no status (# → NNN)") }
    }

    @Test("a block's statuses are read in order; blocks without curl are not examples")
    func parsesBlocks() {
        let page = """
            Text.

            ```sh
            scripts/run.sh
            ```

            - item

              ```sh
              curl -s localhost:8080/healthz
              # → 200 {"status":"ok"}
              ID=$(curl -s -X POST localhost:8080/v1/x \\
                -d '{}' | jq -r .id)
              # → 404
              ```
            """
        let examples = DocumentedExample.parse(page, file: "page.md")
        #expect(examples.count == 1)
        #expect(examples.first?.location == "page.md:9")
        #expect(examples.first?.statuses == [200, 404])
        #expect(examples.first?.script.hasPrefix("curl -s localhost:8080/healthz\n# → 200") == true)
        let log = "@@example 0\n@@status 200\n@@exit 0\ncurl: (7) Failed to connect\n@@status 000\n@@exit 7\n"
        let outcome = DocumentedExample.outcomes(log, count: 1)[0]
        #expect(outcome.statuses == [200, 0] && outcome.exits == [0, 7] && outcome.errors == ["curl: (7) Failed to connect"])
    }

    @Test(
        "every example answers its documented status against scripts/run.sh's service",
        .enabled(if: modelPresent, "MiniLM model not fetched (scripts/fetch-model.sh)"), .timeLimit(.minutes(5)))
    func examplesRun() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/jq") else {
            throw ChildProcessFailure("jq is missing: the examples pass ids on with it (scripts/setup.sh installs it)")
        }
        let examples = try Self.examples()
        let directory = ServiceHarness.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = try freeLoopbackPort()
        let root = OpenAPIDocumentTests.repositoryRoot.path
        // As a user runs it; only the data directory and the port differ, and the binary is the tests' build.
        let server = try ChildProcess(
            name: "run.sh", executable: "/bin/bash", arguments: [root + "/scripts/run.sh"],
            environment: [
                "PATH": "/usr/bin:/bin", "RUN_BINARY": ServerProcess.executable.path,
                "PIKA_DATA_DIR": directory + "/data", "PIKA_PORT": String(port),
            ])
        defer { server.kill9() }
        try await waitUntilReady(server, port: port)

        let log = directory + "/examples.log"
        let script = directory + "/examples.sh"
        try DocumentedExample.script(examples, directory: directory, port: port, log: log).write(
            toFile: script, atomically: true, encoding: .utf8)
        let run = try ChildProcess(name: "examples", executable: "/bin/bash", arguments: [script], environment: ["PATH": "/usr/bin:/bin"])
        try await run.waitForExit(within: .seconds(180))
        let outcomes = DocumentedExample.outcomes((try? String(contentsOfFile: log, encoding: .utf8)) ?? "", count: examples.count)
        for (example, outcome) in zip(examples, outcomes) {
            #expect(
                outcome.statuses == example.statuses && outcome.exits.allSatisfy { $0 == 0 },
                """
                \(example.location): documented \(example.statuses), answered \(outcome.statuses) (curl exit \(outcome.exits))
                \(outcome.errors.joined(separator: "\n"))
                \(example.script)
                --- output ---
                \(run.logTail)
                """)
        }
        #expect(!server.hasExited, "the service died during the examples\n\(server.logTail)")
    }

    /// Waits until `/readyz` answers 200 (the model loads first); fails if run.sh's service exits.
    private func waitUntilReady(_ server: ChildProcess, port: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        let url = URL(string: "http://127.0.0.1:\(port)/readyz")!
        while true {
            let status = try? await URLSession.shared.data(from: url).1 as? HTTPURLResponse
            if status?.statusCode == 200 { return }
            guard !server.hasExited else { throw ChildProcessFailure("scripts/run.sh exited before its service was ready", child: server) }
            guard ContinuousClock.now < deadline else {
                throw ChildProcessFailure("scripts/run.sh's service not ready in 120 s", child: server)
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }
}
