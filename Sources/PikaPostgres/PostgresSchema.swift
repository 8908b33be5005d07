/// Pika's tables on PostgreSQL, as versioned migrations (applied at start-up by ``PostgresMigrator``).
///
/// Times are `timestamptz`. Every row carries its tenant: user ids are only unique inside a tenant.
public enum PostgresSchema {
    /// The migrations, oldest first. Never edit one that has shipped; append a new version.
    public static let migrations: [PostgresMigration] = [
        PostgresMigration(
            version: 1, name: "jobs, api keys, graph, summaries, audit log",
            sql: """
                CREATE TABLE jobs (
                    seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, user_id TEXT NOT NULL,
                    kind TEXT NOT NULL, payload TEXT NOT NULL,
                    status TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'completed', 'failed')),
                    attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL, run_after TIMESTAMPTZ NOT NULL,
                    lease_until TIMESTAMPTZ, result TEXT, error TEXT, idempotency_key TEXT,
                    created_at TIMESTAMPTZ NOT NULL, updated_at TIMESTAMPTZ NOT NULL,
                    UNIQUE (tenant, idempotency_key));
                CREATE INDEX jobs_unfinished ON jobs (seq) WHERE status IN ('queued', 'processing');
                CREATE INDEX jobs_scope ON jobs (tenant, user_id, seq);
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL,
                    role TEXT NOT NULL CHECK (role IN ('read', 'write', 'admin')), created_at TIMESTAMPTZ NOT NULL);
                CREATE TABLE graph_entities (
                    tenant TEXT NOT NULL, user_id TEXT NOT NULL, name_key TEXT NOT NULL, name TEXT NOT NULL,
                    type TEXT NOT NULL, PRIMARY KEY (tenant, user_id, name_key));
                CREATE TABLE graph_relations (
                    seq BIGSERIAL PRIMARY KEY, tenant TEXT NOT NULL, user_id TEXT NOT NULL, source TEXT NOT NULL,
                    relation TEXT NOT NULL, target TEXT NOT NULL, memory_id TEXT NOT NULL,
                    valid_from TIMESTAMPTZ NOT NULL, valid_to TIMESTAMPTZ);
                CREATE INDEX graph_relations_current ON graph_relations (tenant, user_id, seq) WHERE valid_to IS NULL;
                CREATE INDEX graph_relations_memory ON graph_relations (tenant, user_id, memory_id);
                CREATE TABLE user_favorite_summary (
                    tenant TEXT NOT NULL, user_id VARCHAR(255) NOT NULL, summary_json JSONB NOT NULL,
                    last_updated TIMESTAMPTZ NOT NULL DEFAULT now(), PRIMARY KEY (tenant, user_id));
                CREATE INDEX user_favorite_summary_last_updated ON user_favorite_summary (last_updated);
                CREATE TABLE audit_log (
                    seq BIGSERIAL PRIMARY KEY, tenant TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                    target TEXT, detail JSONB NOT NULL, created_at TIMESTAMPTZ NOT NULL);
                CREATE INDEX audit_log_tenant ON audit_log (tenant, seq);
                """),
        // Jobs per status, kept by a trigger, so `/metrics` sums 64 rows instead of counting the jobs
        // table on every scrape. Each status has 16 stripes and a job counts in stripe seq % 16, so
        // workers finishing different jobs at once rarely update the same counter row.
        PostgresMigration(
            version: 2, name: "job counts kept by a trigger",
            sql: """
                LOCK TABLE jobs IN SHARE ROW EXCLUSIVE MODE;
                CREATE TABLE job_counts (
                    status TEXT NOT NULL, stripe SMALLINT NOT NULL, count BIGINT NOT NULL, PRIMARY KEY (status, stripe));
                INSERT INTO job_counts (status, stripe, count)
                    SELECT s.status, g.stripe,
                        (SELECT COUNT(*) FROM jobs WHERE jobs.status = s.status AND jobs.seq % 16 = g.stripe)
                    FROM unnest(ARRAY['queued', 'processing', 'completed', 'failed']) AS s(status),
                        generate_series(0, 15) AS g(stripe);
                CREATE FUNCTION count_jobs() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_OP <> 'INSERT' THEN
                        UPDATE job_counts SET count = count - 1 WHERE status = OLD.status AND stripe = OLD.seq % 16;
                    END IF;
                    IF TG_OP <> 'DELETE' THEN
                        UPDATE job_counts SET count = count + 1 WHERE status = NEW.status AND stripe = NEW.seq % 16;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER jobs_counted AFTER INSERT OR DELETE ON jobs FOR EACH ROW EXECUTE FUNCTION count_jobs();
                CREATE TRIGGER jobs_counted_status AFTER UPDATE OF status ON jobs
                    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION count_jobs();
                """),
    ]

    /// Applies the migrations not yet applied (safe when several processes start at once).
    @discardableResult
    public static func migrate(_ pool: PostgresPool) async throws -> [Int] {
        try await PostgresMigrator.migrate(pool, migrations)
    }
}
