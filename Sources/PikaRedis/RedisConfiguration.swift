import Foundation

/// Where Redis is and how patient to be with it.
public struct RedisConfiguration: Sendable, Equatable {
    /// Host name or address.
    public var host: String
    /// TCP port.
    public var port: Int
    /// `AUTH` password, if the URL carries one.
    public var password: String?
    /// `SELECT` database number.
    public var database: Int
    /// Longest wait for the TCP connection.
    public var connectTimeout: Duration = .milliseconds(250)
    /// Longest wait for one command's (or one pipeline's) reply; then the connection is dropped.
    public var commandTimeout: Duration = .milliseconds(250)
    /// Connections in the pool (each has its own serial queue).
    public var poolSize: Int = 4
    /// After a connection failure or timeout, calls fail fast for this long before one tries again,
    /// so a dead or hung Redis costs each search nothing rather than a timeout.
    public var retryInterval: Duration = .milliseconds(500)

    /// Creates a configuration.
    public init(host: String = "127.0.0.1", port: Int = 6379, password: String? = nil, database: Int = 0) {
        self.host = host
        self.port = port
        self.password = password
        self.database = database
    }

    /// Parses `redis://[[user]:password@]host[:port][/db]` (`user` is ignored: Redis 5 `AUTH` takes a password).
    public init(url: String) throws(RedisError) {
        guard let components = URLComponents(string: url), components.scheme == "redis" else {
            throw RedisError(.invalidConfiguration, "'\(url)' is not a redis://host:port URL (TLS is not supported)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw RedisError(.invalidConfiguration, "'\(url)' has no host")
        }
        self.init(host: host, port: components.port ?? 6379, password: components.password.flatMap { $0.isEmpty ? nil : $0 })
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if !path.isEmpty {
            guard let number = Int(path), number >= 0 else {
                throw RedisError(.invalidConfiguration, "'\(url)': database '\(path)' is not a number")
            }
            database = number
        }
        guard (1...65535).contains(port) else { throw RedisError(.invalidConfiguration, "'\(url)': bad port") }
    }
}
