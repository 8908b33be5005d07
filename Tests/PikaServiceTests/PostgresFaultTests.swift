import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PikaEmbeddings
import PikaMemory
import PikaService
import PikaTestSupport
import Testing

/// The service on PostgreSQL (jobs, keys, graph, summaries, audit) through a real socket, with the
/// PostgreSQL server stopped and started again under it.
///
/// The test starts its own PostgreSQL (``PrivateTestServices``), so stopping
/// it does not disturb other suites that use the shared test server at the same time.
@Suite("Service on PostgreSQL: outage and recovery", .serialized)
struct PostgresFaultTests {
    @Test("PostgreSQL down: searches answer, writes get 503 unavailable, nothing is lost, it recovers without a restart")
    func outageAndRecovery() async throws {
        try await PrivateTestServices.with { services in try await outageAndRecovery(services) }
    }

    private func outageAndRecovery(_ services: PrivateTestServices) async throws {
        var configuration = ServiceConfiguration()
        configuration.dataDirectory = ServiceHarness.temporaryDirectory()
        configuration.port = 0
        configuration.bootstrapAPIKey = ServiceHarness.adminKey
        configuration.embedder = .hashing
        configuration.workers = 2
        configuration.rateLimit = 10_000
        configuration.postgresURL = services.postgresURL
        var logger = Logger(label: "pika-test")
        logger.logLevel = .critical
        let server = try await PikaServer.make(configuration: configuration, logger: logger, embedder: try HashingEmbedder())
        try await server.application.test(.live) { client in
            #expect(try await client.call(.get, "/readyz", key: nil).status == .ok)
            let accepted = try await client.call(
                .post, "/v1/memories",
                json: """
                    {"messages":[{"role":"user","content":"I love dinosaurs. My sister is Lan."}],"user_id":"u1"}
                    """)
            #expect(accepted.status == .accepted)
            let jobID = try #require(accepted["job_id"]?.stringValue ?? accepted["id"]?.stringValue)
            #expect(try await client.waitForJob(jobID)["status"]?.stringValue == "completed")
            let search = #"{"query":"dinosaurs","user_id":"u1","limit":3}"#

            try await services.run("stop-postgres")
            let duringOutage = try await client.call(.post, "/v1/memories/search", json: search)
            #expect(duringOutage.status == .ok)
            #expect(duringOutage.results.first?["memory"]?.stringValue?.lowercased().contains("dinosaurs") == true)
            let write = try await client.call(.post, "/v1/memories", json: #"{"messages":"I like tea","user_id":"u1"}"#)
            #expect(write.status == .serviceUnavailable && write.code == "unavailable", "got \(write.status) \(write.text)")
            #expect(write.headers[.contentType] == "application/problem+json")
            let ready = try await client.call(.get, "/readyz", key: nil)
            #expect(ready.status == .serviceUnavailable && ready.text.contains("postgres"))

            try await services.run("start-postgres")
            var recovered = false
            for _ in 0..<600 where !recovered {
                recovered = try await client.call(.get, "/readyz", key: nil).status == .ok
                if !recovered { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(recovered, "/readyz is ready again")
            #expect(
                try await client.call(.get, "/v1/jobs/\(jobID)")["status"]?.stringValue == "completed", "the job accepted before survived")
            let again = try await client.call(.post, "/v1/memories", json: #"{"messages":"I like green tea","user_id":"u1"}"#)
            #expect(again.status == .accepted)
            let againID = try #require(again["job_id"]?.stringValue ?? again["id"]?.stringValue)
            #expect(try await client.waitForJob(againID)["status"]?.stringValue == "completed")
            let after = try await client.call(.post, "/v1/memories/search", json: #"{"query":"tea","user_id":"u1","limit":3}"#)
            #expect(after.results.contains { $0["memory"]?.stringValue?.lowercased().contains("tea") == true })
            let before = try await client.call(.post, "/v1/memories/search", json: search)
            #expect(before.results.first?["memory"]?.stringValue?.lowercased().contains("dinosaurs") == true)
        }
    }
}
