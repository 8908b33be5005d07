import PikaEngine

/// An error from keyword or hybrid retrieval, with a stable machine-readable code.
public struct RetrievalError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable error code. Extensible: compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. `"vector_required"`.
        public let name: String
        /// Creates a code from its stable name.
        public init(_ name: String) { self.name = name }
        /// The stable name.
        public var description: String { name }

        /// A vector or hybrid search was given no query vector.
        public static let vectorRequired = Code("vector_required")
        /// A write named a label the other index disagrees about (e.g. a duplicate).
        public static let inconsistentLabel = Code("inconsistent_label")
        /// The vector engine refused the operation; ``RetrievalError/engineError`` holds its error.
        public static let engine = Code("engine")
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation.
    public let message: String
    /// The engine's error when ``code`` is ``Code/engine``.
    public let engineError: EngineError?

    /// Creates an error.
    public init(_ code: Code, _ message: String, engineError: EngineError? = nil) {
        self.code = code
        self.message = message
        self.engineError = engineError
    }

    /// Wraps an engine error.
    public init(_ error: EngineError) {
        self.init(.engine, "\(error)", engineError: error)
    }

    /// `"code: message"`.
    public var description: String { "\(code): \(message)" }
}
