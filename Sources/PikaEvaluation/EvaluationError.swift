/// An error from loading an evaluation dataset or running an evaluation, with a stable code.
///
/// Loader errors name the file and, for line-oriented files, the 1-based line.
public struct EvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable error code. Extensible: compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. `"malformed_line"`.
        public let name: String
        /// Creates a code from its stable name.
        public init(_ name: String) { self.name = name }
        /// The stable name.
        public var description: String { name }

        /// A dataset file does not exist or cannot be read.
        public static let fileNotFound = Code("file_not_found")
        /// A line of a JSONL or TSV file is not what the format requires.
        public static let malformedLine = Code("malformed_line")
        /// A JSON document does not have the structure the format requires.
        public static let malformedDocument = Code("malformed_document")
        /// The same id appears twice where ids must be unique.
        public static let duplicateID = Code("duplicate_id")
        /// The dataset holds nothing to evaluate (no documents, or no judged queries).
        public static let emptyDataset = Code("empty_dataset")
        /// The embedder failed.
        public static let embedding = Code("embedding")
        /// The search engine refused an operation.
        public static let retrieval = Code("retrieval")
        /// The embedding cache could not be read or written.
        public static let cache = Code("cache")
        /// The fact extractor failed.
        public static let extraction = Code("extraction")
        /// The memory pipeline (stores, consolidation, search) failed.
        public static let pipeline = Code("pipeline")
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation, naming the file and line when there is one.
    public let message: String
    /// The file concerned, if any.
    public let file: String?
    /// The 1-based line concerned, if any.
    public let line: Int?

    /// Creates an error; `message` is prefixed with `file:line:` when they are given.
    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil) {
        self.code = code
        self.file = file
        self.line = line
        var location = ""
        if let file { location = line.map { "\(file):\($0): " } ?? "\(file): " }
        self.message = location + message
    }

    /// `"code: message"`.
    public var description: String { "\(code): \(message)" }
}
