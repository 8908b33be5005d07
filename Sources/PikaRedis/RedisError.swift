/// A failed Redis operation: what went wrong (a stable code), hiredis's or the server's message,
/// and the command that was attempted.
public struct RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable error codes (extensible: new codes are new static members).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name, e.g. `timeout`.
        public let name: String
        /// Creates a code.
        public init(_ name: String) { self.name = name }
        /// `name`.
        public var description: String { name }

        /// The TCP connection (or AUTH/SELECT after it) failed.
        public static let connectionFailed = Code("connection_failed")
        /// The server did not answer within the command timeout.
        public static let timeout = Code("timeout")
        /// Reading or writing the socket failed (the connection is dropped and made again later).
        public static let io = Code("io")
        /// The server sent bytes that are not RESP.
        public static let protocolError = Code("protocol")
        /// The server answered with an error reply (`-ERR …`); the connection stays usable.
        public static let server = Code("server")
        /// A reply of an unexpected type for the operation.
        public static let unexpectedReply = Code("unexpected_reply")
        /// Redis failed recently; calls fail fast until the retry interval has passed.
        public static let unavailable = Code("unavailable")
        /// The URL or settings are invalid.
        public static let invalidConfiguration = Code("invalid_configuration")
    }

    /// What went wrong.
    public var code: Code
    /// hiredis's or the server's message.
    public var message: String
    /// The command's name (`GET`, `SET`, …), when one was being run.
    public var command: String?

    /// Creates an error.
    public init(_ code: Code, _ message: String, command: String? = nil) {
        self.code = code
        self.message = message
        self.command = command
    }

    /// Whether the connection that produced it must be dropped (the server may be gone or slow).
    public var breaksConnection: Bool {
        code == .connectionFailed || code == .timeout || code == .io || code == .protocolError
    }

    /// `redis <code>: <message> (<command>)`.
    public var description: String {
        "redis \(code): \(message)" + (command.map { " (\($0))" } ?? "")
    }
}
