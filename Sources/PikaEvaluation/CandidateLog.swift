import Foundation
import PikaMemory
import PikaRetrieval

/// Each query's vector and keyword candidates with their raw scores, written as JSON lines
/// (`EvaluationConfiguration.candidatesPath`), so fusion methods can be compared offline on the
/// exact candidates the service's hybrid search fuses (``MemoryManager/candidates(text:vector:scope:depth:allowed:)``).
/// The service's time and speaker boosts, applied after fusion, are not in the file.
struct CandidateLog {
    private let path: String?
    private var lines: [Data] = []

    init(path: String?) { self.path = path }

    /// Records one query (nothing when no path is set); a memory's id in the file is its provenance
    /// (the document's id in the dataset).
    mutating func record(
        _ manager: MemoryManager, text: String, scope: MemoryScope, judgements: Judgements, category: Int?
    ) async throws(EvaluationError) {
        guard path != nil else { return }
        let object: [String: Any]
        do {
            let vector = try await manager.embedder.embedQuery(text)
            let found = try await manager.candidates(text: text, vector: vector, scope: scope, depth: manager.hybridCandidateDepth)
            var records: [UInt64: MemoryRecord] = [:]
            for (record, _) in try found.records.records() { records[record.label] = record }
            let missing = found.keyword.map(\.label).filter { records[$0] == nil }
            for record in try await manager.store.records(labels: missing, scope: scope) { records[record.label] = record }
            func rows(_ hits: [RankedHit]) -> [[Any]] {
                hits.map { [records[$0.label]?.provenance.first ?? "", $0.score] }
            }
            var fields: [String: Any] = [
                "query": text, "relevant": judgements, "vector": rows(found.vector), "keyword": rows(found.keyword),
            ]
            if let category { fields["category"] = category }
            object = fields
        } catch {
            throw EvaluationError(.retrieval, "candidates for \"\(text)\": \(error)")
        }
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
