import ArgumentParser
import Foundation
import Logging
import PikaEngine
import PikaService

/// `pika serve`: the memory service on embedded defaults (SQLite + in-process workers) until SIGTERM/SIGINT.
///
/// Every setting is a `PIKA_*` environment variable and also a flag, which wins.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the memory service (HTTP API and job workers).")

    @Option(name: .customLong("data-dir"), help: "Data directory ($PIKA_DATA_DIR, default ./data).") var dataDirectory: String?
    @Option(help: "Bind host ($PIKA_HOST, default 127.0.0.1).") var host: String?
    @Option(help: "Bind port ($PIKA_PORT, default 8080).") var port: String?
    @Option(name: .customLong("api-key"), help: "Bootstrap admin key of tenant default ($PIKA_API_KEY).") var apiKey: String?
    @Option(help: "minilm | hashing | openai ($PIKA_EMBEDDER, default minilm).") var embedder: String?
    @Option(name: .customLong("model-dir"), help: "MiniLM model directory ($PIKA_MODEL_DIR).") var modelDirectory: String?
    @Option(help: "rules | llm ($PIKA_EXTRACTOR, default rules).") var extractor: String?
    @Option(name: .customLong("llm-base-url"), help: "OpenAI-compatible base URL ($PIKA_LLM_BASE_URL).") var llmBaseURL: String?
    @Option(name: .customLong("llm-model"), help: "LLM model ($PIKA_LLM_MODEL).") var llmModel: String?
    @Option(name: .customLong("llm-api-key"), help: "LLM API key ($PIKA_LLM_API_KEY).") var llmAPIKey: String?
    @Option(help: "In-process job workers ($PIKA_WORKERS, default 2).") var workers: String?
    @Option(name: .customLong("rate-limit"), help: "Requests/s per API key ($PIKA_RATE_LIMIT, default 1000).") var rateLimit: String?
    @Option(name: .customLong("redis-url"), help: "Redis for the L1/L3 caches and version tags ($PIKA_REDIS_URL; in-process when unset).")
    var redisURL: String?
    @Option(name: .customLong("l2-refresh-seconds"), help: "Proactive L2 summary refresh period ($PIKA_L2_REFRESH_SECONDS, default 1800).")
    var l2RefreshSeconds: String?
    @Option(name: .customLong("postgres-url"), help: "PostgreSQL for jobs, keys, graph, summaries, audit ($PIKA_POSTGRES_URL; the data directory's SQLite when unset).")
    var postgresURL: String?
    @Option(name: .customLong("postgres-pool-size"), help: "PostgreSQL connections ($PIKA_POSTGRES_POOL_SIZE, default 4).")
    var postgresPoolSize: String?

    func run() async throws {
        // Requests run concurrently, so each BLAS call (tenant scans, MiniLM) stays on its caller's
        // thread: with OpenBLAS's own pool the idle workers spin in sched_yield, which was 30% of
        // the server's CPU under the service load benchmark (docs/benchmarks.md).
        BLASThreads.set(1)
        var overrides: [String: String] = [:]
        let flags: [(String, String?)] = [
            ("PIKA_DATA_DIR", dataDirectory), ("PIKA_HOST", host), ("PIKA_PORT", port), ("PIKA_API_KEY", apiKey),
            ("PIKA_EMBEDDER", embedder), ("PIKA_MODEL_DIR", modelDirectory), ("PIKA_EXTRACTOR", extractor),
            ("PIKA_LLM_BASE_URL", llmBaseURL), ("PIKA_LLM_MODEL", llmModel), ("PIKA_LLM_API_KEY", llmAPIKey),
            ("PIKA_WORKERS", workers), ("PIKA_RATE_LIMIT", rateLimit), ("PIKA_REDIS_URL", redisURL),
            ("PIKA_L2_REFRESH_SECONDS", l2RefreshSeconds),
            ("PIKA_POSTGRES_URL", postgresURL), ("PIKA_POSTGRES_POOL_SIZE", postgresPoolSize),
        ]
        for case let (name, value?) in flags { overrides[name] = value }
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.resolve(environment: ProcessInfo.processInfo.environment, overrides: overrides)
        } catch {
            throw fail(error.description, status: 2)
        }
        let level = ProcessInfo.processInfo.environment["PIKA_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "pika")
        let server: PikaServer
        do {
            server = try await PikaServer.make(configuration: configuration, logger: logger)
        } catch let error as ConfigurationError {
            throw fail(error.description, status: 2)
        } catch {
            throw fail("cannot start: \(error)", status: 1)
        }
        logger.info("pika serve listening", metadata: [
            "host": "\(configuration.host)", "port": "\(configuration.port)", "data_dir": "\(configuration.dataDirectory)",
        ])
        try await server.application.runService()
    }
}
