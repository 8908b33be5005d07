import Foundation
import Logging
import PikaDataStore
import PikaEmbeddings
import PikaMemory
import PikaRelational
import PikaRetrieval

/// The service's memory pipeline in a temporary data directory, assembled as `pika serve` assembles
/// it: the segment memory store (`memories/`) and the SQLite relational file beside it, a
/// ``MemoryManager`` over them with the service's keyword indexes and fusion; removed by ``close()``.
public final class MemoryPipeline: Sendable {
    /// The pipeline: extraction, consolidation, stores, search.
    public let manager: MemoryManager
    /// The segment store under the manager.
    public let store: SegmentMemoryStore
    /// The temporary data directory.
    public let directory: String

    /// Creates the stores in a new temporary directory and a manager over them.
    /// - Parameters:
    ///   - fusion: the hybrid fusion (the service's unless an evaluation compares another).
    ///   - bm25: the keyword signal's parameters (the service's by default).
    public init(
        embedder: any Embedder, extractor: any FactExtractor, decider: (any ConsolidationDecider)?,
        fusion: FusionMethod = .serviceDefault, bm25: BM25Parameters = BM25Parameters(), logger: Logger
    ) async throws(EvaluationError) {
        let directory = FileManager.default.temporaryDirectory.path + "/pika-eval-\(UUID().uuidString.lowercased())"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let database = try RelationalSchema.open(path: directory + "/pika.sqlite")
            store = try await SegmentMemoryStore.open(
                serviceDirectory: directory, database: database, dimension: embedder.dimension, logger: logger)
            manager = try await MemoryManager(
                store: store, graph: SQLiteGraphStore(database: database), embedder: embedder, extractor: extractor,
                decider: decider, keywordIndexes: UserKeywordIndexes(parameters: bm25), fusion: fusion, logger: logger)
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw EvaluationError(.pipeline, "cannot create the memory pipeline: \(error)", file: directory)
        }
        self.directory = directory
    }

    /// Removes the temporary directory.
    public func close() {
        try? FileManager.default.removeItem(atPath: directory)
    }
}
