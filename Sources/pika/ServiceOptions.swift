import ArgumentParser

/// The settings `pika serve` and `pika worker` both take, each a flag that wins over its `PIKA_*` variable.
struct ServiceOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory, shared by pika serve and pika worker ($PIKA_DATA_DIR, default ./data).")
    var dataDirectory: String?
    @Option(help: "minilm | e5-small | hashing | openai ($PIKA_EMBEDDER, default minilm).") var embedder: String?
    @Option(name: .customLong("model-dir"), help: "MiniLM model directory ($PIKA_MODEL_DIR).") var modelDirectory: String?
    @Option(help: "rules | llm ($PIKA_EXTRACTOR, default rules).") var extractor: String?
    @Option(name: .customLong("llm-base-url"), help: "OpenAI-compatible base URL ($PIKA_LLM_BASE_URL).") var llmBaseURL: String?
    @Option(name: .customLong("llm-model"), help: "LLM model ($PIKA_LLM_MODEL).") var llmModel: String?
    @Option(name: .customLong("llm-api-key"), help: "LLM API key ($PIKA_LLM_API_KEY).") var llmAPIKey: String?
    @Option(help: "Job worker loops in this process ($PIKA_WORKERS, default 2; 0 leaves jobs to pika worker).")
    var workers: String?
    @Option(
        name: .customLong("job-lease-seconds"),
        help:
            "Job lease, renewed every third of it while a job runs; a dead worker's job is retaken after it ($PIKA_JOB_LEASE_SECONDS, default 60)."
    )
    var jobLeaseSeconds: String?
    @Option(
        name: .customLong("job-retention-hours"),
        help: "Hours a finished job is kept before it is deleted in the background ($PIKA_JOB_RETENTION_HOURS, default 168).")
    var jobRetentionHours: String?
    @Option(name: .customLong("redis-url"), help: "Redis for the L1/L3 caches and version tags ($PIKA_REDIS_URL; in-process when unset).")
    var redisURL: String?
    @Option(
        name: .customLong("postgres-url"),
        help:
            "PostgreSQL for jobs, keys, graph, summaries, audit ($PIKA_POSTGRES_URL; the data directory's SQLite when unset; pika worker needs it)."
    )
    var postgresURL: String?
    @Option(name: .customLong("postgres-pool-size"), help: "PostgreSQL connections ($PIKA_POSTGRES_POOL_SIZE, default 4).")
    var postgresPoolSize: String?

    /// Each flag's variable and value (nil when the flag is absent).
    var flags: [(String, String?)] {
        [
            ("PIKA_DATA_DIR", dataDirectory), ("PIKA_EMBEDDER", embedder), ("PIKA_MODEL_DIR", modelDirectory),
            ("PIKA_EXTRACTOR", extractor), ("PIKA_LLM_BASE_URL", llmBaseURL), ("PIKA_LLM_MODEL", llmModel),
            ("PIKA_LLM_API_KEY", llmAPIKey), ("PIKA_WORKERS", workers), ("PIKA_JOB_LEASE_SECONDS", jobLeaseSeconds),
            ("PIKA_JOB_RETENTION_HOURS", jobRetentionHours), ("PIKA_REDIS_URL", redisURL), ("PIKA_POSTGRES_URL", postgresURL),
            ("PIKA_POSTGRES_POOL_SIZE", postgresPoolSize),
        ]
    }
}
