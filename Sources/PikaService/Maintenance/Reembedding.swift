import Foundation
import Logging
import PikaDataStore
import PikaEmbeddings
import PikaMemory
import PikaRelational
import PikaStorage

/// Re-embeds every memory of a service data directory with another embedder (`pika index reembed`),
/// resumably, and tells the service whether a conversion is half done.
///
/// The memories are copied, every payload field as it is (ids, labels, users, times, metadata) and a
/// new vector, into a second segment store, `memories.reembed/`, in committed batches; a rerun skips
/// the ids already there. A settings row of `pika.sqlite` (``markerKey``) names the target embedder
/// from the first write to the end, and `pika serve` refuses to start while it is set
/// (``requireNoConversion(in:database:)``). At the end the stores are swapped by renames
/// (`memories/` → `memories.old/`, `memories.reembed/` → `memories/`), the embedder setting changes
/// and the marker goes in one transaction, and `memories.old/` is removed. Every step can be
/// interrupted and run again: a rerun works out from the folders present where the last one stopped.
/// History, scopes and the graph are in `pika.sqlite` and keyed by memory id, so they stay as they are.
public struct Reembedding: Sendable {
    /// The folder the new store is written to.
    public static let folder = "memories.reembed"
    /// Where the old store waits, between the two renames, to be removed.
    public static let oldFolder = "memories.old"
    /// The settings row naming the embedder a conversion in progress converts to (its CLI name).
    public static let markerKey = "reembed_target"

    /// The service data directory.
    public let directory: String
    /// The embedder's name as `pika index reembed --embedder` and `PIKA_EMBEDDER` spell it.
    public let target: String
    /// The embedder that makes the new vectors.
    public let embedder: any Embedder
    /// Memories embedded and committed together.
    public var batchSize = 64
    /// Whether the new store's sealed segments carry the int8 scan copy (`PIKA_SCAN_COPIES`).
    public var scanCopies = false

    /// What a finished run did.
    public struct Outcome: Sendable, Hashable {
        /// Memories embedded by this run.
        public var embedded: Int
        /// Memories a previous, interrupted run had already converted.
        public var resumed: Int

        /// Creates an outcome.
        public init(embedded: Int, resumed: Int) {
            self.embedded = embedded
            self.resumed = resumed
        }
    }

    /// Creates a conversion of `directory` to `embedder` (named `target` on the command line).
    public init(directory: String, target: String, embedder: any Embedder) {
        self.directory = directory
        self.target = target
        self.embedder = embedder
    }

    /// The command that finishes a conversion to `target` of `directory`.
    public static func command(directory: String, target: String) -> String {
        "pika index reembed --data-dir \(directory) --embedder \(target)"
    }

    /// Throws a configuration error naming the command to run when `directory` is half converted.
    public static func requireNoConversion(in directory: String, database: SQLiteDatabase) async throws {
        guard let target = try await SQLiteSettings(database: database).value(markerKey) else { return }
        throw ConfigurationError(problems: [
            "PIKA_DATA_DIR: \(directory) is half re-embedded to \(target); finish it with `\(command(directory: directory, target: target))`"
        ])
    }

    /// Runs (or resumes) the conversion. `progress` is told (done, total) after each batch.
    /// - Throws: ``MemoryError`` with `conflict` when another conversion is in progress or the
    ///   service holds the directory, and any store or embedder failure (the run can be repeated).
    public func run(
        database: SQLiteDatabase, logger: Logger, progress: @Sendable (Int, Int) -> Void = { _, _ in }
    )
        async throws -> Outcome
    {
        let settings = SQLiteSettings(database: database)
        if let pending = try await settings.value(Self.markerKey), pending != target {
            throw MemoryError(
                .conflict,
                "a conversion to \(pending) is in progress; finish it with `\(Self.command(directory: directory, target: pending))`")
        }
        let live = directory + "/" + SegmentMemoryStore.folder
        let new = directory + "/" + Self.folder
        let old = directory + "/" + Self.oldFolder
        let manager = FileManager.default
        var outcome = Outcome(embedded: 0, resumed: 0)
        let nothingStored = !manager.fileExists(atPath: live + "/MANIFEST") && !manager.fileExists(atPath: old)
        if nothingStored {
            // No memory was ever stored: the service creates a store of the new dimension on start.
            if manager.fileExists(atPath: new) { try manager.removeItem(atPath: new) }
        } else if manager.fileExists(atPath: new) || !manager.fileExists(atPath: old) {
            outcome = try await convert(database: database, settings: settings, logger: logger, progress: progress)
            // Both stores are closed (their locks released) before the renames.
            if manager.fileExists(atPath: live + "/MANIFEST") { try rename(live, to: old) }
            try rename(new, to: live)
        }
        try await database.transaction { [identity = embedder.identity.description] db in
            try db.query("INSERT OR REPLACE INTO settings (name, value) VALUES ('embedder', ?)", [.text(identity)])
            try db.query("DELETE FROM settings WHERE name = ?", [.text(Self.markerKey)])
        }
        if manager.fileExists(atPath: old) { try manager.removeItem(atPath: old) }
        return outcome
    }

    /// Copies every live memory into the new store with a new vector, skipping those a previous run
    /// copied; seals the new store. The source is the live store, or the old one when a previous run
    /// stopped between the two renames.
    private func convert(
        database: SQLiteDatabase, settings: SQLiteSettings, logger: Logger, progress: @Sendable (Int, Int) -> Void
    ) async throws -> Outcome {
        let source = try await openSource(database: database, logger: logger)
        try await settings.set(Self.markerKey, target)
        let destination = try openDestination()
        let tenants: [UInt32] = try await database.read { db in
            try db.query("SELECT number FROM scopes ORDER BY number", []).map { UInt32(truncatingIfNeeded: $0.int64(0)) }
        }
        let total = source.count
        var outcome = Outcome(embedded: 0, resumed: 0)
        progress(0, total)
        for tenant in tenants {
            let records = try source.records(tenant: tenant).sorted { $0.label < $1.label }
            let pending = records.filter { destination.record(id: $0.id) == nil }
            outcome.resumed += records.count - pending.count
            progress(outcome.embedded + outcome.resumed, total)
            for start in stride(from: 0, to: pending.count, by: max(batchSize, 1)) {
                let batch = Array(pending[start..<min(start + max(batchSize, 1), pending.count)])
                let vectors = try await embedder.embed(batch.map(\.text))
                var changes: [RecordChange] = []
                for (record, vector) in zip(batch, vectors) {
                    guard vector.contains(where: { $0 != 0 }) else {
                        throw MemoryError(.embeddingFailed, "memory \(record.id) has no words the new embedder can embed (zero vector)")
                    }
                    changes.append(.upsert(record, vector: vector, note: nil))
                }
                try destination.commit(changes)
                outcome.embedded += batch.count
                progress(outcome.embedded + outcome.resumed, total)
            }
        }
        try destination.seal()
        return outcome
    }

    /// The store to copy from, holding its writer lock (so `pika serve` cannot run meanwhile). The
    /// live store opens as the service opens it, which projects any history its log kept.
    private func openSource(database: SQLiteDatabase, logger: Logger) async throws -> DataDirectory {
        let live = directory + "/" + SegmentMemoryStore.folder
        do {
            if SegmentMemoryStore.exists(serviceDirectory: directory) {
                return try await SegmentMemoryStore.open(
                    serviceDirectory: directory, database: database, dimension: nil, scanCopies: scanCopies, logger: logger
                ).directory
            }
            return try DataDirectory.open(at: directory + "/" + Self.oldFolder, options: options)
        } catch let error as StorageError where error.code == .locked {
            throw MemoryError(.conflict, "\(live) is in use (pika serve runs on \(directory)? stop it first)")
        } catch let error as MemoryError where error.message.contains("another process") {
            throw MemoryError(.conflict, "\(live) is in use (pika serve runs on \(directory)? stop it first)")
        }
    }

    private func openDestination() throws -> DataDirectory {
        let path = directory + "/" + Self.folder
        if FileManager.default.fileExists(atPath: path + "/MANIFEST") {
            let opened = try DataDirectory.open(at: path, options: options)
            guard opened.configuration.dimension == embedder.dimension else {
                throw MemoryError(
                    .conflict, "\(path) holds \(opened.configuration.dimension)-dimensional vectors, \(target) makes \(embedder.dimension)")
            }
            return opened
        }
        if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
        var configuration = CollectionConfiguration(dimension: embedder.dimension, metric: .cosine)
        configuration.efConstruction = 100
        return try DataDirectory.create(at: path, configuration: configuration, options: options)
    }

    /// The service's options for its segment store; fsync per batch.
    private var options: OpenOptions { SegmentMemoryStore.segmentOptions(scanCopies: scanCopies) }

    private func rename(_ from: String, to: String) throws {
        guard Foundation.rename(from, to) == 0 else {
            throw MemoryError(.storage, "cannot rename \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }
}
