#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An in-memory Okapi BM25 index over one user's documents, kept exact under adds and deletes.
///
/// Scores follow Lucene's BM25: for each query term t,
/// `idf(t) · tf · (k1 + 1) / (tf + k1 · (1 − b + b · len / avgLen))` with
/// `idf(t) = ln(1 + (N − n(t) + 0.5) / (n(t) + 0.5))`, summed over the query's terms (a term
/// repeated in the query counts once per repetition). Collection statistics (N, n(t), avgLen)
/// are updated on every ``add(_:text:)`` and ``remove(_:)``, so an index after deletes scores
/// exactly like one built from the surviving documents.
///
/// A value type: copy it freely; the service's per-user keyword indexes share one per user between threads.
public struct BM25Index: Sendable {
    /// Term frequencies and length of one stored document.
    private struct Document: Sendable {
        var frequencies: [String: Int]
        var length: Int
    }

    /// The scoring parameters.
    public var parameters: BM25Parameters
    /// The tokeniser applied to documents and queries.
    public let tokenizer: TextTokenizer

    private var documents: [UInt64: Document] = [:]
    /// term → (document → term frequency).
    private var postings: [String: [UInt64: Int]] = [:]
    private var totalLength = 0

    /// Creates an empty index.
    public init(parameters: BM25Parameters = BM25Parameters(), tokenizer: TextTokenizer = TextTokenizer()) {
        self.parameters = parameters
        self.tokenizer = tokenizer
    }

    /// The number of documents.
    public var count: Int { documents.count }

    /// The number of distinct terms.
    public var vocabularySize: Int { postings.count }

    /// Whether `label` is indexed.
    public func contains(_ label: UInt64) -> Bool { documents[label] != nil }

    /// The number of documents that contain `term` (already tokenised).
    public func documentFrequency(of term: String) -> Int { postings[term]?.count ?? 0 }

    /// Indexes `text` under `label`, replacing any document stored under it.
    /// - Complexity: O(length of `text`).
    public mutating func add(_ label: UInt64, text: String) {
        remove(label)
        let terms = tokenizer.tokens(text)
        var frequencies: [String: Int] = [:]
        for term in terms { frequencies[term, default: 0] += 1 }
        for (term, tf) in frequencies { postings[term, default: [:]][label] = tf }
        documents[label] = Document(frequencies: frequencies, length: terms.count)
        totalLength += terms.count
    }

    /// Removes the document stored under `label`; returns whether there was one.
    /// - Complexity: O(distinct terms of the document).
    @discardableResult
    public mutating func remove(_ label: UInt64) -> Bool {
        guard let document = documents.removeValue(forKey: label) else { return false }
        for term in document.frequencies.keys {
            postings[term]?[label] = nil
            if postings[term]?.isEmpty == true { postings[term] = nil }
        }
        totalLength -= document.length
        return true
    }

    /// The `k` best-scoring documents for `query`, best first; ties go to the smaller label.
    /// Documents sharing no term with the query are not returned, so there may be fewer than `k`.
    /// - Complexity: O(Σ postings of the query's terms + r log r) for r matching documents.
    public func search(_ query: String, k: Int) -> [RankedHit] {
        guard k > 0, !documents.isEmpty else { return [] }
        var queryTerms: [String: Int] = [:]
        for term in tokenizer.tokens(query) { queryTerms[term, default: 0] += 1 }
        let n = Double(documents.count)
        let averageLength = max(Double(totalLength) / n, 1e-9)
        let k1 = parameters.k1
        let b = parameters.b
        var scores: [UInt64: Double] = [:]
        for (term, queryCount) in queryTerms {
            guard let list = postings[term] else { continue }
            let df = Double(list.count)
            let idf = log(1 + (n - df + 0.5) / (df + 0.5))
            for (label, tf) in list {
                let length = Double(documents[label]?.length ?? 0)
                let f = Double(tf)
                let norm = k1 * (1 - b + b * length / averageLength)
                scores[label, default: 0] += Double(queryCount) * idf * f * (k1 + 1) / (f + norm)
            }
        }
        return RankedHit.top(k, of: scores)
    }
}
