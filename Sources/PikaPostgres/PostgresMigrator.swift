/// One versioned schema change.
public struct PostgresMigration: Sendable {
    /// Its version; migrations apply in increasing version order, each once.
    public let version: Int
    /// A short name, recorded next to the version.
    public let name: String
    /// The statements (several may be separated by `;`).
    public let sql: String

    /// Creates a migration.
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// Applies versioned migrations, safely when several processes start at once.
///
/// The whole run holds a session advisory lock (keyed by the schema), so concurrent starters apply
/// each migration exactly once: the first applies, the others wait and then find nothing to do.
/// Each migration runs in its own transaction together with its `schema_migrations` row.
public enum PostgresMigrator {
    /// Applies the migrations not yet recorded in `schema_migrations`; returns the versions applied now.
    @discardableResult
    public static func migrate(_ pool: PostgresPool, _ migrations: [PostgresMigration]) async throws -> [Int] {
        precondition(Set(migrations.map(\.version)).count == migrations.count, "migration versions are unique")
        let ordered = migrations.sorted { $0.version < $1.version }
        return try await pool.withConnection { connection throws(PostgresError) in
            // hashtext of the schema keeps deployments in different schemas of one database independent.
            let lockKey = "hashtext('pika.schema_migrations.' || current_schema())"
            try connection.query("SELECT pg_advisory_lock(\(lockKey))")
            defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(lockKey))") }
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """)
            let applied = Set(try connection.query("SELECT version FROM schema_migrations").rows.map { $0.int(0) })
            var appliedNow: [Int] = []
            for migration in ordered where !applied.contains(migration.version) {
                try connection.transaction { connection throws(PostgresError) in
                    try connection.execute(migration.sql)
                    try connection.query(
                        "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                        [.int(migration.version), .text(migration.name)])
                }
                appliedNow.append(migration.version)
            }
            return appliedNow
        }
    }
}
