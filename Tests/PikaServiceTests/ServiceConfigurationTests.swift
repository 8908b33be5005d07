import PikaService
import Testing

@Suite("pika serve's settings: query batching and the embedding precision")
struct ServiceConfigurationTests {
    private func problems(_ environment: [String: String]) -> [String] {
        do {
            _ = try ServiceConfiguration.resolve(environment: environment)
            return []
        } catch {
            return error.problems
        }
    }

    @Test("PIKA_QUERY_BATCH_WINDOW_US: off, or microseconds 0...1000; anything else is refused by name")
    func queryBatchWindow() throws {
        #expect(try ServiceConfiguration.resolve(environment: [:]).queryBatchWindow == ServiceConfiguration.defaultQueryBatchWindow)
        #expect(try ServiceConfiguration.resolve(environment: ["PIKA_QUERY_BATCH_WINDOW_US": "off"]).queryBatchWindow == nil)
        #expect(try ServiceConfiguration.resolve(environment: ["PIKA_QUERY_BATCH_WINDOW_US": "0"]).queryBatchWindow == .zero)
        #expect(try ServiceConfiguration.resolve(environment: ["PIKA_QUERY_BATCH_WINDOW_US": "250"]).queryBatchWindow == .microseconds(250))
        for bad in ["1001", "-1", "fast", ""] {
            let found = problems(["PIKA_QUERY_BATCH_WINDOW_US": bad])
            #expect(found.count == 1 && found[0].hasPrefix("PIKA_QUERY_BATCH_WINDOW_US:"), "\(bad): \(found)")
        }
    }

    @Test("PIKA_SCAN_COPIES: on or off, off by default; anything else is refused by name")
    func scanCopies() throws {
        #expect(try ServiceConfiguration.resolve(environment: [:]).scanCopies == false)
        #expect(try ServiceConfiguration.resolve(environment: ["PIKA_SCAN_COPIES": "on"]).scanCopies)
        #expect(try ServiceConfiguration.resolve(environment: ["PIKA_SCAN_COPIES": "off"]).scanCopies == false)
        for bad in ["yes", "1", "ON", ""] {
            let found = problems(["PIKA_SCAN_COPIES": bad])
            #expect(found.count == 1 && found[0].hasPrefix("PIKA_SCAN_COPIES:"), "\(bad): \(found)")
        }
    }

    @Test("PIKA_EMBEDDING_PRECISION and _SPLIT are accepted (pika validates them before any command); unknown PIKA_ names are not")
    func precisionIsKnown() {
        #expect(problems(["PIKA_EMBEDDING_PRECISION": "int8"]).isEmpty)
        #expect(problems(["PIKA_EMBEDDING_SPLIT": "off"]).isEmpty)
        #expect(problems(["PIKA_EMBEDDING_PRECISON": "int8"]) == ["PIKA_EMBEDDING_PRECISON: unknown setting"])
    }

    @Test("docs/api.md's settings table has a row for every setting pika serve reads, and PostgreSQL is accepted")
    func settingsAreDocumented() throws {
        let guide = try String(
            contentsOf: OpenAPIDocumentTests.repositoryRoot.appendingPathComponent("docs/api.md"), encoding: .utf8)
        for name in ServiceConfiguration.variables + ["PIKA_EMBEDDING_PRECISION", "PIKA_EMBEDDING_SPLIT", "PIKA_LOG_LEVEL"] {
            #expect(guide.contains("| `\(name)` |"), "docs/api.md has no row for \(name)")
        }
        let postgres = try ServiceConfiguration.resolve(environment: ["PIKA_POSTGRES_URL": "postgresql://pika@db:5432/pika"])
        #expect(postgres.postgresURL == "postgresql://pika@db:5432/pika")
    }
}
