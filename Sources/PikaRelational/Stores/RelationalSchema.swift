/// The SQLite schema of the embedded relational store, as ordered migrations.
public enum RelationalSchema {
    /// Migrations; each runs once, in order, recorded in `schema_version`.
    public static let migrations: [String] = [
        """
        CREATE TABLE scopes (
            number INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL, user_id TEXT NOT NULL, UNIQUE (tenant, user_id));
        CREATE TABLE memories (
            label INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, user_id TEXT NOT NULL, scope INTEGER NOT NULL,
            agent_id TEXT, run_id TEXT, text TEXT NOT NULL, metadata TEXT NOT NULL, attribute TEXT,
            provenance TEXT NOT NULL, created_at REAL NOT NULL, updated_at REAL NOT NULL,
            embedding BLOB NOT NULL);
        CREATE INDEX memories_scope ON memories (tenant, user_id, label);
        CREATE TABLE history (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, memory_id TEXT NOT NULL, tenant TEXT NOT NULL,
            user_id TEXT NOT NULL, event TEXT NOT NULL, old_memory TEXT, new_memory TEXT, created_at REAL NOT NULL);
        CREATE INDEX history_memory ON history (memory_id, seq);
        CREATE INDEX history_scope ON history (tenant, user_id);
        CREATE TABLE entities (
            tenant TEXT NOT NULL, user_id TEXT NOT NULL, name_key TEXT NOT NULL, name TEXT NOT NULL,
            type TEXT NOT NULL, PRIMARY KEY (tenant, user_id, name_key));
        CREATE TABLE relations (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, tenant TEXT NOT NULL, user_id TEXT NOT NULL,
            source TEXT NOT NULL, relation TEXT NOT NULL, target TEXT NOT NULL, memory_id TEXT NOT NULL,
            valid_from REAL NOT NULL, valid_to REAL);
        CREATE INDEX relations_scope ON relations (tenant, user_id);
        CREATE TABLE jobs (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL,
            user_id TEXT NOT NULL, kind TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL,
            attempts INTEGER NOT NULL, max_attempts INTEGER NOT NULL, run_after REAL NOT NULL,
            lease_until REAL, result TEXT, error TEXT, idempotency_key TEXT,
            created_at REAL NOT NULL, updated_at REAL NOT NULL, UNIQUE (tenant, idempotency_key));
        CREATE INDEX jobs_status ON jobs (status, seq);
        CREATE INDEX jobs_scope ON jobs (tenant, user_id, seq);
        CREATE TABLE api_keys (
            id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, tenant TEXT NOT NULL, role TEXT NOT NULL,
            created_at REAL NOT NULL);
        CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
        """,
        // The change feed (dropped below, kept so databases at every version migrate the same way).
        """
        CREATE TABLE memory_changes (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, label INTEGER NOT NULL, tenant TEXT NOT NULL, user_id TEXT NOT NULL);
        """,
        // L2: the seed's user_favorite_summary, keyed by tenant and user; the JSON document as text.
        """
        CREATE TABLE user_favorite_summary (
            tenant TEXT NOT NULL, user_id TEXT NOT NULL, summary_json TEXT NOT NULL, last_updated REAL NOT NULL,
            PRIMARY KEY (tenant, user_id));
        CREATE INDEX user_favorite_summary_updated ON user_favorite_summary (last_updated);
        """,
        // Which store instance wrote each change (the change feed, dropped below).
        """
        ALTER TABLE memory_changes ADD COLUMN writer INTEGER NOT NULL DEFAULT 0;
        """,
        // History as a projection of the segment store's logged notes: each event's id makes
        // replaying a note after a crash idempotent (NULL for rows written before; NULLs are distinct).
        """
        ALTER TABLE history ADD COLUMN event_id TEXT;
        CREATE UNIQUE INDEX history_event ON history (event_id);
        """,
        // The results of jobs whose writes `pika worker` processes handed to this data directory's
        // owner, so a job delivered twice (a worker killed after the owner committed) commits once.
        """
        CREATE TABLE applied_jobs (
            job_id TEXT PRIMARY KEY, result TEXT NOT NULL, created_at REAL NOT NULL);
        CREATE INDEX applied_jobs_created ON applied_jobs (created_at);
        """,
        // Memory kinds (issue 16): `fact` or `event`, and when an event happened (Unix seconds, NULL
        // when unknown). Rows written before are facts without a time.
        """
        ALTER TABLE memories ADD COLUMN kind TEXT NOT NULL DEFAULT 'fact';
        ALTER TABLE memories ADD COLUMN occurred_at REAL;
        """,
        // History keeps a text once: an ADD or UPDATE event's new text is the memory's text, which the
        // segment store holds, or the next event's old text; the row keeps only a digest of it
        // (`new_memory` NULL) so a reader can tell the live record it fills it from is that version.
        """
        ALTER TABLE history ADD COLUMN new_digest INTEGER;
        """,
        // Jobs per status, kept by triggers on every insert, status change and delete, so `/metrics`
        // reads four rows instead of counting the whole jobs table on each scrape.
        """
        CREATE TABLE job_counts (status TEXT PRIMARY KEY, count INTEGER NOT NULL);
        INSERT INTO job_counts (status, count)
            SELECT s.status, (SELECT COUNT(*) FROM jobs WHERE jobs.status = s.status)
            FROM (SELECT 'queued' AS status UNION ALL SELECT 'processing' UNION ALL SELECT 'completed' UNION ALL SELECT 'failed') s;
        CREATE TRIGGER jobs_counted_insert AFTER INSERT ON jobs BEGIN
            UPDATE job_counts SET count = count + 1 WHERE status = NEW.status;
        END;
        CREATE TRIGGER jobs_counted_delete AFTER DELETE ON jobs BEGIN
            UPDATE job_counts SET count = count - 1 WHERE status = OLD.status;
        END;
        CREATE TRIGGER jobs_counted_status AFTER UPDATE OF status ON jobs WHEN OLD.status IS NOT NEW.status BEGIN
            UPDATE job_counts SET count = count - 1 WHERE status = OLD.status;
            UPDATE job_counts SET count = count + 1 WHERE status = NEW.status;
        END;
        """,
        // The change feed is gone: `pika worker` hands its writes to the owning `pika serve`, which
        // is the only process that writes the store, so no index has anything to follow.
        """
        DROP TABLE memory_changes;
        """,
    ]

    /// Opens (creating and migrating) the relational database at `path`.
    public static func open(path: String) throws -> SQLiteDatabase {
        try SQLiteDatabase(path: path, migrations: migrations)
    }
}
