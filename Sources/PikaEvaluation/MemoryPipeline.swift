import Foundation
import Logging
import PikaEmbeddings
import PikaMemory
import PikaRelational

/// The service's memory pipeline on its embedded defaults (SQLite stores, in-memory vector index)
/// in a temporary data directory, as `pika serve` assembles it; removed by ``close()``.
public final class MemoryPipeline: Sendable {
    /// The pipeline: extraction, consolidation, stores, search.
    public let manager: MemoryManager
    /// The temporary data directory.
    public let directory: String

    /// Creates the stores in a new temporary directory and a manager over them.
    public init(
        embedder: any Embedder, extractor: any FactExtractor, decider: (any ConsolidationDecider)?, logger: Logger
    ) async throws(EvaluationError) {
        let directory = FileManager.default.temporaryDirectory.path + "/pika-eval-\(UUID().uuidString.lowercased())"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let database = try RelationalSchema.open(path: directory + "/pika.sqlite")
            manager = try await MemoryManager(
                store: SQLiteMemoryStore(database: database), graph: SQLiteGraphStore(database: database),
                embedder: embedder, extractor: extractor, decider: decider, logger: logger)
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
