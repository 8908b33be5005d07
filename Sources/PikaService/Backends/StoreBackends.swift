import Logging
import PikaMemory
import PikaPostgres
import PikaRelational

/// The stores the service runs on.
///
/// Memory records and their history always stay in the data directory's SQLite file (they commit
/// atomically together and live with the vectors). The shared stores, jobs, API keys, the entity graph,
/// L2 summaries and the audit log, are in that same file by default, or in PostgreSQL when
/// `PIKA_POSTGRES_URL` is set (see docs/architecture.md, "Production back-ends").
public struct StoreBackends: Sendable {
    /// The job queue.
    public let jobs: any JobQueue
    /// API keys.
    public let keys: any APIKeyStore
    /// The entity graph.
    public let graph: any GraphStore
    /// L2 summaries.
    public let summaries: any SummaryStore
    /// The audit log.
    public let audit: any AuditLog
    /// The PostgreSQL pool when the shared stores live there.
    public let postgres: PostgresPool?
    /// How long an idle worker waits before looking at the queue again. Both queues wake idle workers
    /// as soon as a job arrives (SQLite: its own enqueues; PostgreSQL: `NOTIFY` from any process), so
    /// this only bounds how late a retry's `run_after` is noticed; PostgreSQL's is longer because every
    /// poll is a round trip to the server.
    public let workerIdleWait: Duration

    /// The embedded default: everything in the SQLite file. Keys found are remembered for a minute
    /// (``RememberingAPIKeyStore``), so authenticating a request costs no SQLite call at all.
    public static func sqlite(_ database: SQLiteDatabase) throws -> StoreBackends {
        StoreBackends(
            jobs: SQLiteJobQueue(database: database), keys: RememberingAPIKeyStore(SQLiteAPIKeyStore(database: database)),
            graph: SQLiteGraphStore(database: database), summaries: SQLiteSummaryStore(database: database),
            audit: try SQLiteAuditLog(database: database), postgres: nil, workerIdleWait: .milliseconds(100))
    }

    /// PostgreSQL for the shared stores: connects, applies pending migrations (safe with several
    /// processes starting at once) and fails start-up with a clear message when the server cannot be reached.
    public static func postgres(_ configuration: PostgresConfiguration, logger: Logger) async throws -> StoreBackends {
        let pool = PostgresPool(configuration: configuration)
        do {
            let applied = try await PostgresSchema.migrate(pool)
            if !applied.isEmpty { logger.info("applied PostgreSQL migrations", metadata: ["versions": "\(applied)"]) }
        } catch let error as PostgresError {
            throw ConfigurationError(problems: ["PIKA_POSTGRES_URL: cannot prepare the database: \(error)"])
        }
        return StoreBackends(
            jobs: PostgresJobQueue(pool: pool, logger: logger), keys: RememberingAPIKeyStore(PostgresAPIKeyStore(pool: pool)),
            graph: PostgresGraphStore(pool: pool), summaries: PostgresSummaryStore(pool: pool),
            audit: PostgresAuditLog(pool: pool), postgres: pool, workerIdleWait: .seconds(1))
    }

    /// The back-ends `configuration` asks for.
    public static func make(
        _ configuration: ServiceConfiguration, database: SQLiteDatabase, logger: Logger
    ) async throws
        -> StoreBackends
    {
        guard let url = configuration.postgresURL else { return try sqlite(database) }
        return try await postgres(PostgresConfiguration(url: url, poolSize: configuration.postgresPoolSize), logger: logger)
    }

    /// Readiness of the external back-ends: `nil` when all answer, else what does not.
    public func unavailableDependency() async -> String? {
        if let postgres, await !postgres.ping() { return "postgres" }
        return nil
    }
}
