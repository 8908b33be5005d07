import PikaEngine

/// How to reach PostgreSQL and how many connections to keep.
public struct PostgresConfiguration: Sendable {
    /// The connection URL, `postgresql://user[:password]@host[:port]/database[?sslmode=…]` (libpq syntax).
    public var url: String
    /// Connections in the pool (each with its own serial queue).
    public var poolSize: Int
    /// How long a caller waits for a free connection before ``PostgresError/Kind/poolTimeout``.
    public var acquireTimeout: Duration
    /// Statements running longer are cancelled by the server (``PostgresError/Kind/statementTimeout``).
    public var statementTimeout: Duration
    /// Seconds libpq waits for the server when connecting.
    public var connectTimeout: Int
    /// Reported in `pg_stat_activity`.
    public var applicationName: String
    /// The schema Pika's tables live in (`search_path`); nil for the server's default (`public`).
    /// Tests give each case a fresh schema; operators may share one database between deployments.
    public var schema: String?

    /// Creates a configuration; the defaults suit the service on a small machine.
    public init(
        url: String, poolSize: Int = 4, acquireTimeout: Duration = .seconds(5), statementTimeout: Duration = .seconds(30),
        connectTimeout: Int = 3, applicationName: String = "pika", schema: String? = nil
    ) {
        precondition(
            schema?.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } ?? true,
            "a schema name is a plain identifier")
        self.url = url
        self.poolSize = poolSize
        self.acquireTimeout = acquireTimeout
        self.statementTimeout = statementTimeout
        self.connectTimeout = connectTimeout
        self.applicationName = applicationName
        self.schema = schema
    }

    /// Opens one connection with these settings (blocking).
    func connect() throws(PostgresError) -> PostgresConnection {
        var settings = [("statement_timeout", String(statementTimeout.wholeMilliseconds))]
        if let schema { settings.append(("search_path", schema)) }
        return try PostgresConnection(url: url, connectTimeout: connectTimeout, settings: settings, applicationName: applicationName)
    }
}
