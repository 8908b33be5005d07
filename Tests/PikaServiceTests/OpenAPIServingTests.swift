import Foundation
import Hummingbird
import HummingbirdTesting
import PikaService
import PikaTestSupport
import Testing

@Suite("GET /openapi.yaml and the spec's promises")
struct OpenAPIServingTests {
    static func spec() throws -> String {
        try String(contentsOf: OpenAPIDocumentTests.repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
    }

    @Test func servesTheCompiledInSpecWithoutAKey() async throws {
        let text = try Self.spec()
        try await ServiceHarness.run { client in
            let reply = try await client.call(.get, "/openapi.yaml", key: nil)
            #expect(reply.status == .ok)
            #expect(reply.headers[.contentType]?.hasPrefix("application/yaml") == true)
            #expect(reply.text == text + "\n" || reply.text == text, "run scripts/embed-openapi.sh after editing docs/openapi.yaml")
        }
        #expect(text.contains("\n  version: \(PikaVersion.current)\n"), "info.version is PikaVersion.current")
    }

    @Test(.blockingWork) func pikaVersionPrintsTheSpecVersion() async throws {
        let child = try ChildProcess(
            name: "version", executable: ServerProcess.executable.path, arguments: ["--version"], environment: ["PATH": "/usr/bin:/bin"])
        try await child.waitForExit(within: .seconds(60))
        #expect(child.exitCode == 0)
        #expect(child.logTail.trimmingCharacters(in: .whitespacesAndNewlines) == PikaVersion.current)
    }

    /// Every operation without `security: []` lists 401, 403 and 429; both searches name X-Pika-Cache.
    @Test func authenticatedOperationsListAuthFailuresAndRateLimits() throws {
        var missing: [String] = []
        var operation: String?
        var codes = Set<String>()
        var isPublic = false
        func finish() {
            if let operation, !isPublic, !codes.isSuperset(of: ["401", "403", "429"]) { missing.append(operation) }
            operation = nil
        }
        var path = ""
        var inPaths = false
        for line in try Self.spec().split(separator: "\n").map(String.init) {
            if line.hasPrefix("paths:") {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if !line.hasPrefix(" ") {
                finish()
                break
            }
            if line.hasPrefix("  /") {
                finish()
                path = String(line.dropFirst(2).dropLast())
                continue
            }
            if line.hasPrefix("    "), !line.hasPrefix("     ") {
                finish()
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "put", "post", "delete", "patch"].contains(String(key)) {
                    operation = "\(key) \(path)"
                    codes = []
                    isPublic = false
                }
                continue
            }
            if line.trimmingCharacters(in: .whitespaces) == "security: []" { isPublic = true }
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("'"), trimmed.dropFirst(4).hasPrefix("':") { codes.insert(String(trimmed.dropFirst().prefix(3))) }
        }
        #expect(missing.isEmpty, "operations without 401/403/429: \(missing)")
        let spec = try Self.spec()
        #expect(spec.components(separatedBy: "X-Pika-Cache: { $ref: '#/components/headers/XPikaCache' }").count - 1 >= 3)
    }
}
