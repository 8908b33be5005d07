import Foundation
import Logging
import PikaEmbeddings
import PikaService
import Testing

@Suite("docs/openapi.yaml matches the routes")
struct OpenAPIDocumentTests {
    static var repositoryRoot: URL {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("Package.swift").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }

    /// `METHOD /path` for every operation under `paths:` (two-space paths, four-space methods).
    static func documentedOperations(_ text: String) -> [String] {
        var operations: [String] = []
        var inPaths = false
        var path: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") {
                inPaths = true
                continue
            }
            guard inPaths else { continue }
            if !line.hasPrefix(" ") && !line.isEmpty { break }
            if line.hasPrefix("  /") && line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, line.hasPrefix("    "), !line.hasPrefix("     ") {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "put", "post", "delete", "patch"].contains(String(key)) {
                    operations.append("\(key.uppercased()) \(path)")
                }
            }
        }
        return operations.sorted()
    }

    @Test func pathsAndMethodsAreExactlyTheRoutes() async throws {
        let text = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        #expect(text.hasPrefix("openapi: 3.1."))
        var configuration = ServiceConfiguration()
        configuration.dataDirectory = ServiceHarness.temporaryDirectory()
        configuration.embedder = .hashing
        let server = try await PikaServer.make(
            configuration: configuration, logger: Logger(label: "openapi-test"), embedder: try HashingEmbedder())
        let documented = Self.documentedOperations(text)
        #expect(documented.count >= 19)
        #expect(
            documented == server.routes,
            "documented only: \(Set(documented).subtracting(server.routes)); routes only: \(Set(server.routes).subtracting(documented))")
        // docs/api.md mentions every route too.
        let guide = try String(contentsOf: Self.repositoryRoot.appendingPathComponent("docs/api.md"), encoding: .utf8)
        for route in server.routes {
            let path = String(route.split(separator: " ")[1])
            #expect(guide.contains(path), "docs/api.md does not mention \(path)")
        }
    }
}
