import Foundation
import PikaMemory

/// Everything `pika serve` needs, from `PIKA_*` environment variables overridden by flags.
public struct ServiceConfiguration: Sendable, Equatable {
    /// Embedding back-ends.
    public enum EmbedderKind: String, Sendable, CaseIterable {
        /// Native all-MiniLM-L6-v2.
        case minilm
        /// Native multilingual-e5-small (model from `PIKA_E5_MODEL_DIR`, else models/multilingual-e5-small).
        case e5Small = "e5-small"
        /// Feature hashing (no model; tests and fallback).
        case hashing
        /// An OpenAI-compatible `/v1/embeddings` (settings from `PIKA_EMBEDDINGS_*`).
        case openai
    }

    /// Extraction back-ends.
    public enum ExtractorKind: String, Sendable, CaseIterable {
        /// The built-in rule extractor.
        case rules
        /// An OpenAI-compatible `/v1/chat/completions`.
        case llm
    }

    /// Data directory (SQLite file lives here).
    public var dataDirectory: String = "./data"
    /// Bind host.
    public var host: String = "127.0.0.1"
    /// Bind port (0 picks a free one).
    public var port: Int = 8080
    /// Bootstrap admin key of tenant `default`.
    public var bootstrapAPIKey: String?
    /// Embedder.
    public var embedder: EmbedderKind = .minilm
    /// MiniLM model directory.
    public var modelDirectory: String?
    /// Extractor.
    public var extractor: ExtractorKind = .rules
    /// LLM base URL (`…/v1`).
    public var llmBaseURL: String?
    /// LLM model name.
    public var llmModel: String?
    /// LLM API key.
    public var llmAPIKey: String?
    /// In-process job workers.
    public var workers: Int = 2
    /// Requests per second allowed per API key (burst: twice that).
    public var rateLimit: Double = 1000
    /// Attempts before a job is dead-lettered.
    public var jobMaxAttempts: Int = 5
    /// Seconds a worker's lease on a job lasts; its heartbeat renews it every third of that while the
    /// job runs, so this bounds how long a dead worker's job waits before another worker takes it.
    public var jobLeaseSeconds: Int = 60
    /// Hours a finished (completed or failed) job is kept for `GET /v1/jobs/{id}`; older ones are
    /// deleted in the background (their payloads hold the conversation's text).
    public var jobRetentionHours: Int = 168
    /// Redis for the L1/L3 cache tiers and version tags (`redis://host:port[/db]`); in-process when nil.
    public var redisURL: String?
    /// Seconds between proactive rebuilds of the L2 summaries (each user's is also rebuilt after its writes).
    public var l2RefreshSeconds: Int = 1800
    /// L0 size and lifetime and L1's lifetime (the seed's values by default; not read from the
    /// environment).
    public var tiers = TieredSearch.Settings()
    /// PostgreSQL for jobs, API keys, graph, L2 summaries and audit (`postgresql://user@host:port/db`);
    /// the data directory's SQLite file when nil.
    public var postgresURL: String?
    /// Connections in the PostgreSQL pool.
    public var postgresPoolSize: Int = 4
    /// Concurrent search queries are embedded together (``QueryBatchingEmbedder``), an idle
    /// embedder waiting this long (0...1 ms) for companions; nil embeds each query alone
    /// (`PIKA_QUERY_BATCH_WINDOW_US`: microseconds, or `off`).
    public var queryBatchWindow: Duration? = Self.defaultQueryBatchWindow
    /// The default of ``queryBatchWindow`` (docs/benchmarks.md, "Query batching", measured it).
    public static let defaultQueryBatchWindow: Duration? = nil
    /// Whether segments sealed from now on carry the int8 copy of their vectors that per-user scans
    /// read instead of the f32 rows (`PIKA_SCAN_COPIES`: `on` or `off`): faster searches for a
    /// quarter of the vectors' bytes more disk (docs/operations.md, "Scan copies").
    public var scanCopies = false

    /// Creates the defaults.
    public init() {}

    /// `PIKA_SCAN_COPIES`'s value read as a switch: `on` true, `off` false, anything else nil.
    /// The offline `pika` commands that seal a service's segments read it too.
    public static func scanCopies(_ value: String) -> Bool? {
        switch value {
        case "on": true
        case "off": false
        default: nil
        }
    }

    /// The settings this service reads, each also a `pika serve` flag (`--data-dir` for `PIKA_DATA_DIR`, …).
    public static let variables: [String] = [
        "PIKA_DATA_DIR", "PIKA_HOST", "PIKA_PORT", "PIKA_API_KEY", "PIKA_EMBEDDER", "PIKA_MODEL_DIR", "PIKA_E5_MODEL_DIR", "PIKA_EXTRACTOR",
        "PIKA_LLM_BASE_URL", "PIKA_LLM_MODEL", "PIKA_LLM_API_KEY", "PIKA_WORKERS", "PIKA_RATE_LIMIT",
        "PIKA_JOB_MAX_ATTEMPTS", "PIKA_JOB_LEASE_SECONDS", "PIKA_JOB_RETENTION_HOURS", "PIKA_REDIS_URL", "PIKA_L2_REFRESH_SECONDS",
        "PIKA_POSTGRES_URL", "PIKA_POSTGRES_POOL_SIZE", "PIKA_QUERY_BATCH_WINDOW_US", "PIKA_SCAN_COPIES",
    ]

    /// `PIKA_*` variables read by other parts of Pika (the remote embedder, the native embedders'
    /// arithmetic and splitting, which `pika` itself validates before any command), accepted here.
    public static let otherVariables: [String] = [
        "PIKA_EMBEDDINGS_URL", "PIKA_EMBEDDINGS_MODEL", "PIKA_EMBEDDINGS_DIMENSION", "PIKA_EMBEDDINGS_API_KEY",
        "PIKA_EMBEDDING_PRECISION", "PIKA_EMBEDDING_SPLIT", "PIKA_LOG_LEVEL",
    ]

    /// Resolves the configuration: `overrides` (flag values keyed by variable name) win over `environment`.
    /// Every unknown `PIKA_*` variable and every invalid value is reported, all at once.
    public static func resolve(
        environment: [String: String], overrides: [String: String] = [:]
    ) throws(ConfigurationError)
        -> ServiceConfiguration
    {
        var problems: [String] = []
        // `PIKA_TEST_*` belongs to the test harness (scripts/test-services.sh), not to the service.
        for name in environment.keys.sorted() where name.hasPrefix("PIKA_") && !name.hasPrefix("PIKA_TEST_") {
            if !variables.contains(name) && !otherVariables.contains(name) {
                problems.append("\(name): unknown setting")
            }
        }
        var settings = environment.filter { variables.contains($0.key) }
        for (key, value) in overrides { settings[key] = value }
        var config = ServiceConfiguration()
        func nonEmpty(_ name: String) -> String? {
            guard let value = settings[name] else { return nil }
            if value.isEmpty {
                problems.append("\(name): must not be empty")
                return nil
            }
            return value
        }
        if let value = nonEmpty("PIKA_DATA_DIR") { config.dataDirectory = value }
        if let value = nonEmpty("PIKA_HOST") { config.host = value }
        if let value = nonEmpty("PIKA_PORT") {
            if let port = Int(value), (0...65535).contains(port) {
                config.port = port
            } else {
                problems.append("PIKA_PORT: '\(value)' is not a port number 0...65535")
            }
        }
        if let value = nonEmpty("PIKA_API_KEY") {
            if value.count >= 16 { config.bootstrapAPIKey = value } else { problems.append("PIKA_API_KEY: must be at least 16 characters") }
        }
        if let value = nonEmpty("PIKA_EMBEDDER") {
            if let kind = EmbedderKind(rawValue: value) {
                config.embedder = kind
            } else {
                problems.append("PIKA_EMBEDDER: '\(value)' is not one of minilm, e5-small, hashing, openai")
            }
        }
        config.modelDirectory = nonEmpty("PIKA_MODEL_DIR")
        if let value = nonEmpty("PIKA_EXTRACTOR") {
            if let kind = ExtractorKind(rawValue: value) {
                config.extractor = kind
            } else {
                problems.append("PIKA_EXTRACTOR: '\(value)' is not one of rules, llm")
            }
        }
        config.llmBaseURL = nonEmpty("PIKA_LLM_BASE_URL")
        config.llmModel = nonEmpty("PIKA_LLM_MODEL")
        config.llmAPIKey = nonEmpty("PIKA_LLM_API_KEY")
        if let url = config.llmBaseURL, URL(string: url)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            problems.append("PIKA_LLM_BASE_URL: '\(url)' is not an http(s) URL")
        }
        if config.extractor == .llm && (config.llmBaseURL == nil || config.llmModel == nil) {
            problems.append("PIKA_EXTRACTOR: llm needs PIKA_LLM_BASE_URL and PIKA_LLM_MODEL")
        }
        if let value = nonEmpty("PIKA_WORKERS") {
            if let n = Int(value), (0...64).contains(n) {
                config.workers = n
            } else {
                problems.append("PIKA_WORKERS: '\(value)' is not 0...64")
            }
        }
        if let value = nonEmpty("PIKA_RATE_LIMIT") {
            if let n = Double(value), n > 0, n.isFinite {
                config.rateLimit = n
            } else {
                problems.append("PIKA_RATE_LIMIT: '\(value)' is not a positive number")
            }
        }
        if let value = nonEmpty("PIKA_JOB_MAX_ATTEMPTS") {
            if let n = Int(value), (1...100).contains(n) {
                config.jobMaxAttempts = n
            } else {
                problems.append("PIKA_JOB_MAX_ATTEMPTS: '\(value)' is not 1...100")
            }
        }
        if let value = nonEmpty("PIKA_JOB_LEASE_SECONDS") {
            if let n = Int(value), (1...3600).contains(n) {
                config.jobLeaseSeconds = n
            } else {
                problems.append("PIKA_JOB_LEASE_SECONDS: '\(value)' is not 1...3600")
            }
        }
        if let value = nonEmpty("PIKA_JOB_RETENTION_HOURS") {
            if let n = Int(value), (1...87_600).contains(n) {
                config.jobRetentionHours = n
            } else {
                problems.append("PIKA_JOB_RETENTION_HOURS: '\(value)' is not 1...87600")
            }
        }
        if let value = nonEmpty("PIKA_REDIS_URL") {
            if let url = URLComponents(string: value), url.scheme == "redis", url.host?.isEmpty == false {
                config.redisURL = value
            } else {
                problems.append("PIKA_REDIS_URL: '\(value)' is not a redis://host[:port][/db] URL")
            }
        }
        if let value = nonEmpty("PIKA_L2_REFRESH_SECONDS") {
            if let n = Int(value), (1...86_400).contains(n) {
                config.l2RefreshSeconds = n
            } else {
                problems.append("PIKA_L2_REFRESH_SECONDS: '\(value)' is not 1...86400")
            }
        }
        if let value = nonEmpty("PIKA_POSTGRES_URL") {
            if let url = URLComponents(string: value), ["postgresql", "postgres"].contains(url.scheme ?? ""),
                url.host?.isEmpty == false
            {
                config.postgresURL = value
            } else {
                problems.append("PIKA_POSTGRES_URL: '\(value)' is not a postgresql://user@host[:port]/database URL")
            }
        }
        if let value = nonEmpty("PIKA_POSTGRES_POOL_SIZE") {
            if let n = Int(value), (1...100).contains(n) {
                config.postgresPoolSize = n
            } else {
                problems.append("PIKA_POSTGRES_POOL_SIZE: '\(value)' is not 1...100")
            }
        }
        if let value = nonEmpty("PIKA_QUERY_BATCH_WINDOW_US") {
            if value == "off" {
                config.queryBatchWindow = nil
            } else if let n = Int(value), (0...1000).contains(n) {
                config.queryBatchWindow = .microseconds(n)
            } else {
                problems.append("PIKA_QUERY_BATCH_WINDOW_US: '\(value)' is not off or 0...1000 (microseconds)")
            }
        }
        if let value = nonEmpty("PIKA_SCAN_COPIES") {
            if let on = scanCopies(value) {
                config.scanCopies = on
            } else {
                problems.append("PIKA_SCAN_COPIES: '\(value)' is not on or off")
            }
        }
        guard problems.isEmpty else { throw ConfigurationError(problems: problems) }
        return config
    }
}
