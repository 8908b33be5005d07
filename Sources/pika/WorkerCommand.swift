import ArgumentParser
import Foundation
import Logging
import PikaEngine
import PikaService
import ServiceLifecycle

/// `pika worker`: job workers in their own process, for deployments with PostgreSQL.
///
/// Workers claim jobs from the PostgreSQL queue (`FOR UPDATE SKIP LOCKED`, woken by `NOTIFY`) and
/// write memories into the same data directory as `pika serve` (SQLite allows several processes).
/// Every process follows the data directory's change feed, so the server's index sees the workers'
/// writes before its next search. Settings are the same `PIKA_*` variables as `pika serve`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run job workers as a separate process (needs PIKA_POSTGRES_URL; shares the service's data directory).")

    @Option(name: .customLong("data-dir"), help: "Data directory shared with pika serve ($PIKA_DATA_DIR, default ./data).")
    var dataDirectory: String?
    @Option(name: .customLong("postgres-url"), help: "PostgreSQL holding the job queue ($PIKA_POSTGRES_URL, required).")
    var postgresURL: String?
    @Option(name: .customLong("redis-url"), help: "Redis for version tags and caches ($PIKA_REDIS_URL).") var redisURL: String?
    @Option(help: "Concurrent job loops in this process ($PIKA_WORKERS, default 2).") var workers: String?
    @Option(help: "minilm | hashing | openai ($PIKA_EMBEDDER, default minilm).") var embedder: String?
    @Option(name: .customLong("model-dir"), help: "MiniLM model directory ($PIKA_MODEL_DIR).") var modelDirectory: String?
    @Option(help: "rules | llm ($PIKA_EXTRACTOR, default rules).") var extractor: String?

    func run() async throws {
        // Requests run concurrently, so each BLAS call (tenant scans, MiniLM) stays on its caller's
        // thread: with OpenBLAS's own pool the idle workers spin in sched_yield, which was 30% of
        // the server's CPU under the service load benchmark (docs/benchmarks.md).
        BLASThreads.set(1)
        var overrides: [String: String] = [:]
        let flags: [(String, String?)] = [
            ("PIKA_DATA_DIR", dataDirectory), ("PIKA_POSTGRES_URL", postgresURL), ("PIKA_REDIS_URL", redisURL),
            ("PIKA_WORKERS", workers), ("PIKA_EMBEDDER", embedder), ("PIKA_MODEL_DIR", modelDirectory),
            ("PIKA_EXTRACTOR", extractor),
        ]
        for case let (name, value?) in flags { overrides[name] = value }
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.resolve(environment: ProcessInfo.processInfo.environment, overrides: overrides)
        } catch {
            throw fail(error.description, status: 2)
        }
        guard configuration.postgresURL != nil else {
            throw fail("pika worker needs PIKA_POSTGRES_URL (or --postgres-url): separate worker processes share "
                       + "the PostgreSQL job queue; on embedded defaults pika serve runs its workers itself", status: 2)
        }
        guard configuration.workers > 0 else { throw fail("PIKA_WORKERS must be at least 1 for pika worker", status: 2) }
        let level = ProcessInfo.processInfo.environment["PIKA_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "pika.worker")
        let server: PikaServer
        do {
            // The same assembly as `pika serve` (stores, tiers, write observers); only the workers run.
            server = try await PikaServer.make(configuration: configuration, logger: logger)
        } catch let error as ConfigurationError {
            throw fail(error.description, status: 2)
        } catch {
            throw fail("cannot start: \(error)", status: 1)
        }
        let deps = server.dependencies
        let workers = JobWorkerService(
            runner: deps.runner, count: configuration.workers, idleDelay: deps.backends.workerIdleWait, logger: logger)
        logger.info("pika worker running", metadata: [
            "workers": "\(configuration.workers)", "data_dir": "\(configuration.dataDirectory)",
        ])
        let group = ServiceGroup(
            configuration: .init(services: [workers], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
