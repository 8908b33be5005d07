import Foundation
import PikaMemory
import PikaRelational
import PikaStorage

/// A point-in-time copy of a whole service data directory: a folder holding `pika.sqlite` (jobs,
/// keys, graph, history, summaries) and `memories.snapshot` (the segment store's snapshot archive).
///
/// Taken while no memory write is in flight (the store's gate, held exclusively), so every memory
/// in the archive has its history in the database copy and the other way round. The database is
/// copied with `VACUUM INTO` on a connection of its own (one read transaction: consistent while the
/// service's other SQLite writes, jobs and graph, continue).
public enum ServiceSnapshot {
    /// The database copy's name inside a snapshot folder.
    public static let databaseFile = "pika.sqlite"
    /// The segment store archive's name inside a snapshot folder.
    public static let archiveFile = "memories.snapshot"

    /// What a snapshot holds.
    public struct Info: Sendable, Hashable {
        /// The snapshot folder.
        public var path: String
        /// Live memories in it.
        public var memories: Int
        /// Log sequence number it stops at.
        public var lsn: UInt64
        /// Bytes of its two files.
        public var bytes: Int
    }

    /// Writes a snapshot of `store` and `database` to the new folder `path` (refused if it exists).
    public static func create(store: SegmentMemoryStore, database: SQLiteDatabase, at path: String) async throws -> Info {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw MemoryError(.conflict, "\(path) exists; a snapshot goes to a new folder")
        }
        // Written under a temporary name and renamed when whole: a process killed while writing leaves
        // a `.partial` folder, never a folder at `path` that looks like a snapshot and is not one.
        let partial = path + ".partial"
        try? FileManager.default.removeItem(atPath: partial)
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: true)
        do {
            let info = try await store.gate.exclusive {
                let databaseCopy = partial + "/" + databaseFile
                // On a connection of its own (the service's reader is query-only; its writer must keep
                // committing jobs meanwhile), on the store's queue: the copy is blocking file work.
                let source = database.path
                try await store.onQueueUntyped { _ = try SQLiteConnection(path: source).query("VACUUM INTO ?", [.text(databaseCopy)]) }
                let archive = try await store.onQueue { () throws(StorageError) in
                    try store.directory.snapshot(to: partial + "/" + archiveFile)
                }
                let bytes = (try? FileManager.default.attributesOfItem(atPath: databaseCopy)[.size] as? Int) ?? 0
                return Info(path: path, memories: archive.records, lsn: archive.lsn, bytes: bytes + archive.bytes)
            }
            try FileManager.default.moveItem(atPath: partial, toPath: path)
            return info
        } catch {
            try? FileManager.default.removeItem(atPath: partial)
            throw error
        }
    }

    /// Whether `path` is a snapshot folder of a service data directory.
    public static func isServiceSnapshot(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/" + databaseFile)
            && FileManager.default.fileExists(atPath: path + "/" + archiveFile)
    }

    /// Restores the snapshot folder `path` into the service data directory `directory`, which must
    /// be empty or missing unless `force` (then its database and memory store are replaced).
    public static func restore(from path: String, to directory: String, force: Bool) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let existing = try manager.contentsOfDirectory(atPath: directory)
        guard existing.isEmpty || force else {
            throw MemoryError(.conflict, "\(directory) is not empty; pass --force to replace it")
        }
        for name in [databaseFile, databaseFile + "-wal", databaseFile + "-shm", SegmentMemoryStore.folder] {
            try? manager.removeItem(atPath: directory + "/" + name)
        }
        do {
            _ = try DataDirectory.restore(from: path + "/" + archiveFile, to: directory + "/" + SegmentMemoryStore.folder, force: true)
        } catch {
            throw MemoryError(.storage, "\(error)")
        }
        // Copied last and renamed into place: a directory without its database is not mistaken for a restored one.
        let temporary = directory + "/" + databaseFile + ".restoring"
        try? manager.removeItem(atPath: temporary)
        try manager.copyItem(atPath: path + "/" + databaseFile, toPath: temporary)
        try manager.moveItem(atPath: temporary, toPath: directory + "/" + databaseFile)
    }
}
