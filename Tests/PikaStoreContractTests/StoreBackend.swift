import Foundation
import Logging
import PikaMemory
import PikaPostgres
import PikaRelational
import Testing

/// The back-ends every contract suite runs against.
enum StoreBackend: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A test service the environment does not provide: the test fails with this message.
struct MissingTestService: Error, CustomStringConvertible {
    let variable: String
    var description: String {
        "\(variable) is not set: start the test servers with `eval \"$(scripts/test-services.sh start)\"` and run the tests again"
    }
}

/// The PostgreSQL test server's URL (scripts/test-services.sh), or a failing error.
func testPostgresURL() throws -> String {
    guard let url = ProcessInfo.processInfo.environment["PIKA_TEST_POSTGRES_URL"], !url.isEmpty else {
        throw MissingTestService(variable: "PIKA_TEST_POSTGRES_URL")
    }
    return url
}

/// A fresh, migrated PostgreSQL schema of the test database, dropped by ``drop()``.
struct PostgresTestSchema: Sendable {
    let name: String
    let url: String

    /// Creates an empty schema with a unique name (not yet migrated).
    static func create() async throws -> PostgresTestSchema {
        let url = try testPostgresURL()
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await PostgresPool(configuration: PostgresConfiguration(url: url, poolSize: 1)).query("CREATE SCHEMA \(name)")
        return PostgresTestSchema(name: String(name), url: url)
    }

    /// A pool whose connections use this schema.
    func pool(size: Int = 4, acquireTimeout: Duration = .seconds(5), statementTimeout: Duration = .seconds(30)) -> PostgresPool {
        PostgresPool(
            configuration: PostgresConfiguration(
                url: url, poolSize: size, acquireTimeout: acquireTimeout, statementTimeout: statementTimeout,
                applicationName: "pika-test", schema: name))
    }

    /// Drops the schema and everything in it.
    func drop() async throws {
        try await PostgresPool(configuration: PostgresConfiguration(url: url, poolSize: 1)).query("DROP SCHEMA \(name) CASCADE")
    }
}

/// One test's stores on one back-end, isolated from every other test (a new SQLite file, or a new
/// PostgreSQL schema).
struct StoreFixture: Sendable {
    let backend: StoreBackend
    private let sqlite: SQLiteDatabase?
    private let directory: String?
    private let schema: PostgresTestSchema?
    /// The PostgreSQL pool (nil on SQLite).
    let pool: PostgresPool?

    /// Runs `body` with fresh stores on `backend`, then removes them.
    static func with<T: Sendable>(
        _ backend: StoreBackend, poolSize: Int = 4, _ body: (StoreFixture) async throws -> T
    )
        async throws -> T
    {
        let fixture = try await make(backend, poolSize: poolSize)
        do {
            let value = try await body(fixture)
            try await fixture.remove()
            return value
        } catch {
            try? await fixture.remove()
            throw error
        }
    }

    private static func make(_ backend: StoreBackend, poolSize: Int) async throws -> StoreFixture {
        switch backend {
        case .sqlite:
            let directory = NSTemporaryDirectory() + "pika-contract-" + UUID().uuidString
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let database = try RelationalSchema.open(path: directory + "/pika.sqlite")
            return StoreFixture(backend: backend, sqlite: database, directory: directory, schema: nil, pool: nil)
        case .postgres:
            let schema = try await PostgresTestSchema.create()
            let pool = schema.pool(size: poolSize)
            try await PostgresSchema.migrate(pool)
            return StoreFixture(backend: backend, sqlite: nil, directory: nil, schema: schema, pool: pool)
        }
    }

    private func remove() async throws {
        if let directory { try? FileManager.default.removeItem(atPath: directory) }
        try await schema?.drop()
    }

    /// Runs raw SQL on the back-end (tests that look beneath a store's API).
    func execute(_ sql: String) async throws {
        if let sqlite {
            try await sqlite.transaction { db in try db.execute(sql) }
        } else {
            _ = try await pool!.query(sql)
        }
    }

    /// The job queue.
    func jobs() -> any JobQueue {
        if let sqlite { return SQLiteJobQueue(database: sqlite) }
        return PostgresJobQueue(pool: pool!, logger: Logger(label: "pika-test"))
    }

    /// The API key store.
    func keys() -> any APIKeyStore {
        if let sqlite { return SQLiteAPIKeyStore(database: sqlite) }
        return PostgresAPIKeyStore(pool: pool!)
    }

    /// The graph store.
    func graph() -> any GraphStore {
        if let sqlite { return SQLiteGraphStore(database: sqlite) }
        return PostgresGraphStore(pool: pool!)
    }

    /// The audit log.
    func audit() throws -> any AuditLog {
        if let sqlite { return try SQLiteAuditLog(database: sqlite) }
        return PostgresAuditLog(pool: pool!)
    }

    /// The L2 summary store.
    func summaries() -> any SummaryStore {
        if let sqlite { return SQLiteSummaryStore(database: sqlite) }
        return PostgresSummaryStore(pool: pool!)
    }
}

/// A fixed instant with whole milliseconds (both back-ends keep times to the microsecond).
let t0 = Date(timeIntervalSince1970: 1_800_000_000)
