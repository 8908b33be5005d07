/// An error from any embedder, with a stable machine-readable ``code`` and a human-readable message.
///
/// Codes never change meaning once released; match on ``code`` rather than on the message.
public struct EmbeddingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable error code. Extensible: new codes are added as static members.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The code as a string such as `"model_not_found"`.
        public let rawValue: String
        /// Creates a code from its string form.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The string form of the code.
        public var description: String { rawValue }

        /// The model directory or one of its files is missing; the message names the fetch command.
        public static let modelNotFound = Code(rawValue: "model_not_found")
        /// The model's files are present but unreadable, malformed or do not match config.json.
        public static let modelInvalid = Code(rawValue: "model_invalid")
        /// tokenizer.json is malformed or describes a tokenizer this implementation does not support.
        public static let tokenizerInvalid = Code(rawValue: "tokenizer_invalid")
        /// A collection was written with one embedder and opened with another.
        public static let embedderMismatch = Code(rawValue: "embedder_mismatch")
        /// A caller passed an argument an embedder cannot accept (for example a zero dimension).
        public static let invalidArgument = Code(rawValue: "invalid_argument")
        /// A remote embedding request did not finish within its timeout.
        public static let remoteTimeout = Code(rawValue: "remote_timeout")
        /// A remote endpoint answered with an HTTP status other than 200.
        public static let remoteStatus = Code(rawValue: "remote_status")
        /// A remote endpoint answered 200 with a body that is not a valid embeddings response.
        public static let remoteMalformedResponse = Code(rawValue: "remote_malformed_response")
        /// The connection to a remote endpoint failed (refused, reset, DNS, TLS…).
        public static let remoteTransport = Code(rawValue: "remote_transport")
        /// The circuit breaker is open after repeated failures; no request was sent.
        public static let circuitOpen = Code(rawValue: "circuit_open")
    }

    /// What went wrong, as a stable code.
    public let code: Code
    /// A sentence for humans: what was attempted, and what to do about it where we know.
    public let message: String

    /// The HTTP status a remote endpoint answered, for ``Code/remoteStatus``.
    public let httpStatus: Int?

    /// Creates an error with a code, a message and, for remote errors, the HTTP status.
    public init(_ code: Code, _ message: String, httpStatus: Int? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
    }

    /// `"<code>: <message>"`.
    public var description: String { "\(code.rawValue): \(message)" }
}
