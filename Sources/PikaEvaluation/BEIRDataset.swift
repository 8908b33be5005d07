import Foundation

/// A dataset in BEIR's layout: `corpus.jsonl`, `queries.jsonl` and `qrels/SPLIT.tsv`.
///
/// - corpus lines: `{"_id": "...", "title": "...", "text": "..."}` (title optional);
/// - query lines: `{"_id": "...", "text": "..."}`;
/// - qrels: `query-id<TAB>corpus-id<TAB>score`, an optional header row, graded integer scores.
///
/// Only the queries that appear in the split's qrels are kept.
public struct BEIRDataset: Sendable {
    /// One corpus document.
    public struct Document: Sendable, Hashable {
        /// The document id (`_id`).
        public var id: String
        /// The title, possibly empty.
        public var title: String
        /// The body text.
        public var text: String

        /// Title and text joined with a space (how BEIR's dense baselines embed a document).
        public var fullText: String { title.isEmpty ? text : title + " " + text }

        /// Creates a document.
        public init(id: String, title: String, text: String) {
            self.id = id
            self.title = title
            self.text = text
        }
    }

    /// One query.
    public struct Query: Sendable, Hashable {
        /// The query id (`_id`).
        public var id: String
        /// The query text.
        public var text: String

        /// Creates a query.
        public init(id: String, text: String) {
            self.id = id
            self.text = text
        }
    }

    /// The corpus, in file order.
    public var documents: [Document]
    /// The queries judged in the split, in file order.
    public var queries: [Query]
    /// query id → judgements.
    public var qrels: [String: Judgements]

    /// Creates a dataset from parts.
    public init(documents: [Document], queries: [Query], qrels: [String: Judgements]) {
        self.documents = documents
        self.queries = queries
        self.qrels = qrels
    }

    /// Loads the dataset at `directory` for `split`.
    /// - Throws: ``EvaluationError`` naming the file (and line) that is missing or malformed.
    public static func load(directory: String, split: String = "test") throws(EvaluationError) -> BEIRDataset {
        let qrels = try loadQrels(path: directory + "/qrels/\(split).tsv")
        var documents: [Document] = []
        var seen = Set<String>()
        let corpusPath = directory + "/corpus.jsonl"
        try forEachJSONLine(path: corpusPath) { (object, line) throws(EvaluationError) in
            let id = try string(object, "_id", file: corpusPath, line: line, required: true)
            guard seen.insert(id).inserted else {
                throw EvaluationError(.duplicateID, "document id \"\(id)\" appears twice", file: corpusPath, line: line)
            }
            let title = try string(object, "title", file: corpusPath, line: line, required: false)
            let text = try string(object, "text", file: corpusPath, line: line, required: true)
            documents.append(Document(id: id, title: title, text: text))
        }
        guard !documents.isEmpty else { throw EvaluationError(.emptyDataset, "no documents", file: corpusPath) }
        var queries: [Query] = []
        let queriesPath = directory + "/queries.jsonl"
        try forEachJSONLine(path: queriesPath) { (object, line) throws(EvaluationError) in
            let id = try string(object, "_id", file: queriesPath, line: line, required: true)
            let text = try string(object, "text", file: queriesPath, line: line, required: true)
            if qrels[id] != nil { queries.append(Query(id: id, text: text)) }
        }
        guard !queries.isEmpty else {
            throw EvaluationError(.emptyDataset, "no query of the \(split) qrels is in the file", file: queriesPath)
        }
        return BEIRDataset(documents: documents, queries: queries, qrels: qrels)
    }

    /// Reads a qrels TSV file: query id, corpus id, integer score; a first line starting with
    /// `query-id` is a header.
    public static func loadQrels(path: String) throws(EvaluationError) -> [String: Judgements] {
        var qrels: [String: Judgements] = [:]
        for (index, line) in try lines(path: path).enumerated() {
            let number = index + 1
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if number == 1 && fields.first == "query-id" { continue }
            guard fields.count == 3, !fields[0].isEmpty, !fields[1].isEmpty else {
                throw EvaluationError(
                    .malformedLine, "expected query-id<TAB>corpus-id<TAB>score, found \(fields.count) field(s)",
                    file: path, line: number)
            }
            guard let score = Int(fields[2]) else {
                throw EvaluationError(.malformedLine, "score \"\(fields[2])\" is not an integer", file: path, line: number)
            }
            qrels[fields[0], default: [:]][fields[1]] = score
        }
        guard !qrels.isEmpty else { throw EvaluationError(.emptyDataset, "no judgements", file: path) }
        return qrels
    }
}

/// The lines of a UTF-8 text file (a trailing newline does not make an extra line).
func lines(path: String) throws(EvaluationError) -> [Substring] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw EvaluationError(.fileNotFound, "cannot read the file", file: path)
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw EvaluationError(.malformedDocument, "not UTF-8", file: path)
    }
    var result = text.split(separator: "\n", omittingEmptySubsequences: false)
    if result.last?.isEmpty == true { result.removeLast() }
    return result.map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }
}

/// Calls `body` with every non-blank line of a JSONL file parsed as a JSON object, and its 1-based number.
func forEachJSONLine(
    path: String, _ body: ([String: Any], Int) throws(EvaluationError) -> Void
) throws(EvaluationError) {
    for (index, line) in try lines(path: path).enumerated() {
        if line.allSatisfy(\.isWhitespace) { continue }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: Data(line.utf8))
        } catch {
            throw EvaluationError(.malformedLine, "not valid JSON (\(error.localizedDescription))", file: path, line: index + 1)
        }
        guard let object = parsed as? [String: Any] else {
            throw EvaluationError(.malformedLine, "expected a JSON object", file: path, line: index + 1)
        }
        try body(object, index + 1)
    }
}

/// A string field of a JSON object (numbers are accepted and printed); "" when optional and absent.
func string(
    _ object: [String: Any], _ key: String, file: String, line: Int?, required: Bool
) throws(EvaluationError)
    -> String
{
    switch object[key] {
    case let value as String: return value
    case let value as NSNumber: return value.stringValue
    case nil, is NSNull:
        if required { throw EvaluationError(.malformedLine, "missing field \"\(key)\"", file: file, line: line) }
        return ""
    default:
        throw EvaluationError(.malformedLine, "field \"\(key)\" is not a string", file: file, line: line)
    }
}
