import Foundation
import PikaRetrieval

/// Each query's vector and keyword candidates with their raw scores, written as JSON lines
/// (`EvaluationConfiguration.candidatesPath`), so fusion methods can be compared offline on the
/// exact candidates `HybridSearcher` fuses.
struct CandidateLog {
    private let path: String?
    private var lines: [Data] = []

    init(path: String?) { self.path = path }

    /// Records one query (nothing when no path is set or the run has no vector).
    mutating func record(
        _ searcher: HybridSearcher, text: String, vector: [Float]?, tenant: UInt32, judgements: Judgements,
        category: Int?, id: (UInt64) -> String
    ) {
        guard path != nil, let vector else { return }
        let depth = searcher.candidateDepth
        let dense = (try? searcher.search(text: text, vector: vector, tenant: tenant, k: depth, mode: .vector)) ?? []
        let sparse = searcher.keywords.search(text, tenant: tenant, k: depth)
        var object: [String: Any] = [
            "query": text, "relevant": judgements,
            "vector": dense.map { [id($0.label), $0.score] as [Any] },
            "keyword": sparse.map { [id($0.label), $0.score] as [Any] },
        ]
        if let category { object["category"] = category }
        if let line = try? JSONSerialization.data(withJSONObject: object) { lines.append(line) }
    }

    /// Writes the lines recorded so far.
    func write() {
        guard let path else { return }
        var data = Data()
        for line in lines {
            data.append(line)
            data.append(0x0A)
        }
        _ = FileManager.default.createFile(atPath: path, contents: data)
    }
}
