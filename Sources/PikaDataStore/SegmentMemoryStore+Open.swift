import Foundation
import Logging
import PikaMemory
import PikaRelational
import PikaStorage

extension SegmentMemoryStore {
    /// The segment store's folder inside a service data directory.
    public static let folder = "memories"

    /// Opens (creating on first use) the memory store of a service data directory whose relational
    /// database is open as `database`: maps the sealed segments, replays the write-ahead log's tail,
    /// projects the history notes a crash kept from the database, and moves the memories of a data
    /// directory written by an earlier release (rows of `pika.sqlite`'s `memories` table) into the
    /// segment store, logging its progress. Nothing is loaded in proportion to the data but the log tail.
    /// - Parameters:
    ///   - directory: the service data directory (the segment store is its `memories/` folder).
    ///   - dimension: the embedder's dimension, checked against an existing store and needed for a
    ///     new one (nil: the store must exist).
    ///   - scanCopies: whether segments this process seals (and compacts) carry the int8 scan copy.
    ///     Segments keep what they were written with; a search reads each segment's copy when it has one.
    public static func open(
        serviceDirectory directory: String, database: SQLiteDatabase, dimension: Int?, scanCopies: Bool = false, logger: Logger
    ) async throws -> SegmentMemoryStore {
        let path = directory + "/" + folder
        let segments: DataDirectory
        var options = segmentOptions(scanCopies: scanCopies)
        options.durability = .groupCommit(milliseconds: 2)
        do {
            if FileManager.default.fileExists(atPath: path + "/MANIFEST") {
                segments = try DataDirectory.open(at: path, options: options)
            } else if let dimension {
                var configuration = CollectionConfiguration(dimension: dimension, metric: .cosine)
                configuration.efConstruction = 100
                segments = try DataDirectory.create(at: path, configuration: configuration, options: options)
            } else {
                throw MemoryError(.notFound, "no memory store at \(path)")
            }
        } catch let error as MemoryError {
            throw error
        } catch {
            throw MemoryError(.storage, "cannot open the memory store at \(path): \(error)")
        }
        if let dimension, segments.configuration.dimension != dimension {
            throw MemoryError(
                .conflict,
                "the memory store at \(path) holds \(segments.configuration.dimension)-dimensional vectors, the embedder makes \(dimension)"
            )
        }
        for problem in segments.recovery.problems {
            logger.error("memory store: set aside or repaired", metadata: ["problem": "\(problem)"])
        }
        let notes = segments.recovery.notes.compactMap { HistoryNote.decode($0.note) }
        try await HistoryProjection.project(notes, into: database)
        if !notes.isEmpty { logger.info("replayed history notes", metadata: ["notes": "\(notes.count)"]) }
        let legacyFloor = try await LegacyMemories.largestLabel(in: database)
        let store = SegmentMemoryStore(
            directory: segments, database: database,
            labels: try await LabelAllocator(database: database, atLeast: legacyFloor), logger: logger)
        try await LegacyMemories.migrate(from: database, into: store)
        return store
    }

    /// The options every writer of a service data directory's segment store opens it with (the
    /// service, `pika import`, `pika index compact` and `reembed` without the service), so segments
    /// sealed by any of them have one shape.
    /// - Parameter scanCopies: whether sealed segments carry the int8 scan copy (`PIKA_SCAN_COPIES`).
    public static func segmentOptions(scanCopies: Bool) -> OpenOptions {
        var options = OpenOptions()
        // Every search names one user: exact scans of the user's blocks, so no graph files (no second
        // copy of the vectors on disk, and seals and compactions that build nothing).
        options.sealedGraphs = false
        // No int8 scan copy unless asked: a user's block (about a thousand rows) scans in f32 in well
        // under a millisecond, and the copy adds a quarter of the vectors' bytes to the disk
        // (docs/benchmarks.md, "One data directory").
        options.scanCopies = scanCopies
        return options
    }

    /// Whether `directory` (a service data directory) holds a segment store of memories.
    public static func exists(serviceDirectory directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/" + folder + "/MANIFEST")
    }

    /// Opens the memory store of a service data directory for reading only, without the writer
    /// lock: safe while `pika serve` owns the directory (`pika export`). It sees what was committed
    /// when it opened; writes through it throw. History reads come from `database`.
    public static func openReadOnly(
        serviceDirectory directory: String, database: SQLiteDatabase, logger: Logger
    ) async throws
        -> SegmentMemoryStore
    {
        var options = OpenOptions()
        options.readOnly = true
        let segments: DataDirectory
        do {
            segments = try DataDirectory.open(at: directory + "/" + folder, options: options)
        } catch {
            throw MemoryError(.storage, "cannot open the memory store at \(directory)/\(folder): \(error)")
        }
        return SegmentMemoryStore(
            directory: segments, database: database, labels: try await LabelAllocator(database: database, atLeast: 0), logger: logger)
    }

    /// Writes the growing segment out as a sealed segment (mapped, clustered by user) once every
    /// write in flight has projected its history; writes wait meanwhile, searches do not.
    public func seal() async throws {
        try await gate.exclusive {
            try await self.onQueue { () throws(StorageError) in try self.directory.seal() }
            self.oldestUnsealedWrite.withLock { $0 = nil }
        }
    }

    /// Rebuilds every sealed segment's graph with new parameters (searches continue on the old ones).
    public func rebuildGraphs(m: Int?, efConstruction: Int?, threads: Int) async throws {
        try await onQueue { () throws(StorageError) in try self.directory.rebuild(m: m, efConstruction: efConstruction, threads: threads) }
    }

    /// Merges sealed segments, dropping deleted rows (their text is then gone from every file).
    /// Returns the new segment's row count, nil when there was nothing to merge.
    @discardableResult
    public func compact() async throws -> Int? {
        try await onQueue { () throws(StorageError) in try self.directory.compact() }
    }
}
