// NDCG@10 of the native all-MiniLM-L6-v2 embedder on SciFact (BEIR layout), test split.
// Dense retrieval as in SOURCE.md: title and text joined with a space, mean pooling, cosine.
// Usage: scifact-ndcg [DATA_DIR] [--parallelism N]; exits 1 when NDCG@10 is outside 0.645 ± 0.005.
import Foundation
import PikaEmbeddings

struct Document: Decodable {
    let _id: String
    let title: String?
    let text: String
}

func lines(_ path: String) throws -> [Substring] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var parallelism = 2
if let flag = arguments.firstIndex(of: "--parallelism"), flag + 1 < arguments.count {
    parallelism = Int(arguments[flag + 1]) ?? 2
    arguments.removeSubrange(flag...(flag + 1))
}
let dataDirectory = arguments.first ?? "/work/shared/eval/scifact"

let decoder = JSONDecoder()
let corpus = try lines(dataDirectory + "/corpus.jsonl").map { try decoder.decode(Document.self, from: Data($0.utf8)) }
let queries = Dictionary(
    uniqueKeysWithValues: try lines(dataDirectory + "/queries.jsonl").map {
        let q = try decoder.decode(Document.self, from: Data($0.utf8))
        return (q._id, q.text)
    })
var relevant: [String: [String: Double]] = [:]
for line in try lines(dataDirectory + "/qrels/test.tsv").dropFirst() {
    let f = line.split(separator: "\t").map(String.init)
    guard f.count >= 3, let score = Double(f[2]) else { continue }
    relevant[f[0], default: [:]][f[1]] = score
}
let queryIDs = relevant.keys.sorted { Int($0) ?? 0 < Int($1) ?? 0 }

var options = MiniLMEmbedder.Options()
options.parallelism = parallelism
if parallelism > 1 { MiniLMEmbedder.setBLASThreads(1) }
let embedder = try MiniLMEmbedder(options: options)

let started = Date()
let documentVectors = embedder.encode(corpus.map { ($0.title ?? "") + " " + $0.text })
let corpusSeconds = Date().timeIntervalSince(started)
let queryVectors = embedder.encode(queryIDs.map { queries[$0] ?? "" })
let truncatedDocuments = documentVectors.filter(\.truncated).count

var total = 0.0
for (qi, queryID) in queryIDs.enumerated() {
    let q = queryVectors[qi].vector
    var scored: [(score: Float, id: String)] = []
    scored.reserveCapacity(corpus.count)
    for (di, document) in corpus.enumerated() where document._id != queryID {  // BEIR ignores identical ids
        var dot: Float = 0
        let d = documentVectors[di].vector
        for j in 0..<q.count { dot += q[j] * d[j] }
        scored.append((dot, document._id))
    }
    scored.sort { $0.score != $1.score ? $0.score > $1.score : $0.id > $1.id }
    let judgements = relevant[queryID] ?? [:]
    var dcg = 0.0
    for (rank, hit) in scored.prefix(10).enumerated() {
        dcg += (judgements[hit.id] ?? 0) / log2(Double(rank) + 2)
    }
    let ideal = judgements.values.sorted(by: >).prefix(10).enumerated().reduce(0.0) {
        $0 + $1.element / log2(Double($1.offset) + 2)
    }
    total += ideal > 0 ? dcg / ideal : 0
}
let ndcg = total / Double(queryIDs.count)
let summary: [String: Any] = [
    "ndcg@10": (ndcg * 10000).rounded() / 10000, "queries": queryIDs.count, "documents": corpus.count,
    "truncatedDocuments": truncatedDocuments, "corpusSeconds": (corpusSeconds * 10).rounded() / 10,
    "documentsPerSecond": (Double(corpus.count) / corpusSeconds).rounded(), "parallelism": parallelism,
]
print(String(decoding: try JSONSerialization.data(withJSONObject: summary, options: [.sortedKeys]), as: UTF8.self))
let target = 0.645
if abs(ndcg - target) > 0.005 {
    FileHandle.standardError.write(Data("scifact-ndcg: NDCG@10 \(ndcg) is outside \(target) ± 0.005\n".utf8))
    exit(1)
}
