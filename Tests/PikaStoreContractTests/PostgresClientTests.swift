import Foundation
import Logging
import PikaPostgres
import Synchronization
import Testing

/// The libpq wrapper against the real test server: errors, timeouts, reconnection, LISTEN/NOTIFY, migrations.
@Suite("PostgreSQL client")
struct PostgresClientTests {
    @Test("parameters travel as text, NULL stays NULL, arrays bind to ANY")
    func parameters() async throws {
        let pool = PostgresPool(configuration: PostgresConfiguration(url: try testPostgresURL(), poolSize: 1))
        let row = try #require(
            try await pool.query(
                "SELECT $1::text, $2::text IS NULL, $3::int + 1, $4::float8, 'b' = ANY($5::text[]), $6::bool",
                [.text("it's \"quoted\" — ünïcode"), .null, .int(41), .double(0.1), .textArray(["a", "b\"c", "b"]), .bool(true)]
            ).rows.first)
        #expect(row.string(0) == "it's \"quoted\" — ünïcode")
        #expect(row.bool(1) && row.int(2) == 42 && row.double(3) == 0.1 && row.bool(4) && row.bool(5))
    }

    @Test("a rejected statement reports its SQLSTATE and message")
    func serverErrors() async throws {
        let schema = try await PostgresTestSchema.create()
        let pool = schema.pool(size: 1)
        try await pool.query("CREATE TABLE t (id INT PRIMARY KEY)")
        try await pool.query("INSERT INTO t VALUES (1)")
        let duplicate = await #expect(throws: PostgresError.self) { try await pool.query("INSERT INTO t VALUES (1)") }
        #expect(duplicate?.isUniqueViolation == true && duplicate?.kind == .server && duplicate?.isUnavailable == false)
        let syntax = await #expect(throws: PostgresError.self) { try await pool.query("SELEC 1") }
        #expect(syntax?.sqlState == "42601" && syntax?.message.contains("syntax") == true)
        // The connection stays usable after errors (and after a failed transaction rolled back).
        await #expect(throws: PostgresError.self) {
            try await pool.transaction { db throws(PostgresError) in
                try db.query("INSERT INTO t VALUES (2)")
                try db.query("INSERT INTO t VALUES (1)")
            }
        }
        #expect(try await pool.query("SELECT count(*) FROM t").rows.first?.int(0) == 1)
        try await schema.drop()
    }

    @Test("the statement timeout cancels a long statement")
    func statementTimeout() async throws {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(
                url: try testPostgresURL(), poolSize: 1, statementTimeout: .milliseconds(200)))
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT pg_sleep(5)") }
        #expect(error?.kind == .statementTimeout && error?.sqlState == "57014")
        #expect(try await pool.query("SELECT 1").rows.count == 1)
    }

    @Test("a caller waits at most the acquire timeout for a busy pool")
    func acquireTimeout() async throws {
        let pool = PostgresPool(
            configuration: PostgresConfiguration(
                url: try testPostgresURL(), poolSize: 1, acquireTimeout: .milliseconds(200)))
        let busyDone = Mutex(false)
        let busy = Task {
            _ = try await pool.query("SELECT pg_sleep(4)")
            busyDone.withLock { $0 = true }
        }
        try await Task.sleep(for: .milliseconds(300))
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.kind == .poolTimeout && error?.isUnavailable == true)
        // It gave up while the slot was still taken, rather than waiting for it (a wall-clock
        // bound on the wait would flake on a loaded machine).
        #expect(!busyDone.withLock { $0 }, "the caller waited for the busy statement to finish")
        try await busy.value
        #expect(try await pool.query("SELECT 1").rows.count == 1, "the slot came back")
    }

    @Test("a connection killed mid-statement fails as unavailable, and the next use reconnects")
    func reconnection() async throws {
        let url = try testPostgresURL()
        let pool = PostgresPool(configuration: PostgresConfiguration(url: url, poolSize: 1, applicationName: "pika-victim"))
        let pid = try #require(try await pool.query("SELECT pg_backend_pid()").rows.first?.int(0))
        let killer = PostgresPool(configuration: PostgresConfiguration(url: url, poolSize: 1))
        async let victim: Void = {
            let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT pg_sleep(10)") }
            #expect(error?.isUnavailable == true, "got \(String(describing: error))")
        }()
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await killer.query("SELECT pg_terminate_backend($1)", [.int(pid)]).rows.first?.bool(0) == true)
        await victim
        let newPID = try #require(try await pool.query("SELECT pg_backend_pid()").rows.first?.int(0))
        #expect(newPID != pid)
        // An idle connection killed between uses is replaced before the next statement, without an error.
        #expect(try await killer.query("SELECT pg_terminate_backend($1)", [.int(newPID)]).rows.first?.bool(0) == true)
        try await Task.sleep(for: .milliseconds(100))
        #expect(try await pool.query("SELECT 1").rows.count == 1)
    }

    @Test("an unreachable server is reported as unavailable")
    func unreachable() async throws {
        let pool = PostgresPool(configuration: PostgresConfiguration(url: "postgresql://pika@127.0.0.1:1/none", poolSize: 1))
        let error = await #expect(throws: PostgresError.self) { try await pool.query("SELECT 1") }
        #expect(error?.kind == .unavailable)
    }

    @Test("the listener delivers NOTIFY payloads from another connection")
    func listenNotify() async throws {
        let url = try testPostgresURL()
        let channel = "pika_test_" + UUID().uuidString.prefix(8).lowercased()
        let events = EventLog()
        let listener = PostgresListener(
            configuration: PostgresConfiguration(url: url), channels: [channel], logger: Logger(label: "test")
        ) { events.append($0) }
        defer { listener.stop() }
        try await waitUntil { events.contains(.connected) }
        let pool = PostgresPool(configuration: PostgresConfiguration(url: url, poolSize: 1))
        try await pool.query("SELECT pg_notify($1, $2)", [.text(channel), .text("hello")])
        try await waitUntil { events.contains(.notification(channel: channel, payload: "hello")) }
    }

    @Test("six processes' worth of migrators starting at once apply each migration exactly once")
    func concurrentMigrations() async throws {
        let schema = try await PostgresTestSchema.create()
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for _ in 0..<6 {
                group.addTask { try await PostgresSchema.migrate(schema.pool(size: 1)) }
            }
            return try await group.reduce(into: [Int]()) { $0 += $1 }
        }
        let versions = PostgresSchema.migrations.map(\.version)
        #expect(applied.sorted() == versions.sorted())
        let recorded = try await schema.pool(size: 1).query("SELECT version FROM schema_migrations ORDER BY version").rows
        #expect(recorded.map { $0.int(0) } == versions.sorted())
        #expect(try await PostgresSchema.migrate(schema.pool(size: 1)).isEmpty)
        try await schema.drop()
    }
}

/// Listener events seen so far.
final class EventLog: Sendable {
    private let events = Mutex<[PostgresListenerEvent]>([])
    func append(_ event: PostgresListenerEvent) { events.withLock { $0.append(event) } }
    func contains(_ event: PostgresListenerEvent) -> Bool { events.withLock { $0.contains(event) } }
}

/// Polls `condition` for up to five seconds.
func waitUntil(_ condition: () -> Bool) async throws {
    for _ in 0..<100 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("condition not met within 5 s")
}
