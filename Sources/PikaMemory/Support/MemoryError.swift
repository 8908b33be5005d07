/// A failure of the memory domain, with a stable code the HTTP layer maps to a status.
public struct MemoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable error codes (extensible).
    public struct Code: RawRepresentable, Hashable, Sendable {
        /// The code text, e.g. `not_found`.
        public let rawValue: String
        /// Creates a code.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Bad input (400).
        public static let invalidArgument = Code(rawValue: "invalid_argument")
        /// A filter that cannot be parsed (400).
        public static let invalidFilter = Code(rawValue: "invalid_filter")
        /// Unknown id, or another tenant's (404).
        public static let notFound = Code(rawValue: "not_found")
        /// A conflicting state (409).
        public static let conflict = Code(rawValue: "conflict")
        /// A dependency (LLM, embedder) is down (503).
        public static let unavailable = Code(rawValue: "unavailable")
        /// The embedder failed.
        public static let embeddingFailed = Code(rawValue: "embedding_failed")
        /// The extractor failed.
        public static let extractionFailed = Code(rawValue: "extraction_failed")
        /// A storage failure (500).
        public static let storage = Code(rawValue: "storage_error")
        /// Anything else (500).
        public static let `internal` = Code(rawValue: "internal_error")
    }

    /// The code.
    public let code: Code
    /// A human explanation.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code.rawValue): \(message)" }
}
