import Foundation

/// The root of a data directory: which files make up the collection right now.
///
/// File `MANIFEST`: 24-byte header (magic "PIKAMANI", u32 format version, u32 body length,
/// u32 CRC-32C of the body, u32 CRC-32C of the first 20 header bytes), then the body as
/// UTF-8 JSON. It is only ever replaced atomically (write `MANIFEST.tmp`, fsync, rename,
/// fsync the directory), so a crash leaves the old manifest or the new one.
struct Manifest: Codable, Sendable, Equatable {
    /// One sealed segment and its companion files.
    struct Segment: Codable, Sendable, Equatable {
        var id: UInt64
        /// The segment file (vectors, tenant directory, id index, payloads).
        var file: String
        /// The HNSW graph file (engine format), or nil when the segment has none yet.
        var graph: String?
        /// The tombstone file (deleted rows), or nil when none is deleted.
        var tombstones: String?
        var rows: Int
    }

    static let magic: [UInt8] = Array("PIKAMANI".utf8)
    static let formatVersion: UInt32 = 1
    static let fileName = "MANIFEST"

    var formatVersion: UInt32 = Manifest.formatVersion
    /// Bumped by every manifest write.
    var generation: UInt64 = 1
    var configuration: CollectionConfiguration
    /// The next segment id to assign.
    var nextSegmentID: UInt64 = 1
    /// Every WAL record with an LSN at or below this is inside a sealed segment.
    var checkpointLSN: UInt64 = 0
    /// The current write-ahead log file.
    var wal: String
    var segments: [Segment] = []

    func encoded() throws(StorageError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body: [UInt8]
        do {
            body = Array(try encoder.encode(self))
        } catch {
            throw StorageError(code: .invalidArgument, message: "cannot encode the manifest: \(error)")
        }
        var w = ByteWriter(capacity: 24 + body.count)
        w.raw(Manifest.magic)
        w.u32(Manifest.formatVersion)
        w.u32(UInt32(body.count))
        w.u32(Checksum.crc32c(body))
        w.u32(Checksum.crc32c(w.bytes))
        w.raw(body)
        return w.bytes
    }

    /// Parses a manifest file's bytes; every failure names `path`.
    static func decode(_ bytes: UnsafeRawBufferPointer, path: String) throws(StorageError) -> Manifest {
        var r = ByteReader(bytes, path: path)
        let magic = try r.bytes(8, "magic")
        guard magic.elementsEqual(Manifest.magic) else { throw .corrupt(path, "not a Pika manifest (bad magic)") }
        let version = try r.u32("format version")
        let length = try r.u32("body length")
        let bodyCRC = try r.u32("body checksum")
        let headerCRC = try r.u32("header checksum")
        guard headerCRC == Checksum.crc32c(UnsafeRawBufferPointer(rebasing: bytes[0..<20])) else {
            throw .corrupt(path, "header checksum mismatch")
        }
        guard version <= Manifest.formatVersion, version >= 1 else {
            throw StorageError(
                code: .unsupportedVersion,
                message: "format version \(version) is newer than this build reads (\(Manifest.formatVersion))", path: path)
        }
        guard Int(length) == r.remaining else {
            throw .corrupt(path, "body length \(length) but \(r.remaining) bytes follow the header")
        }
        let body = try r.bytes(Int(length), "body")
        guard Checksum.crc32c(body) == bodyCRC else { throw .corrupt(path, "body checksum mismatch") }
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: Data(body))
        } catch {
            throw .corrupt(path, "body is not a valid manifest: \(error)")
        }
        try manifest.validate(path: path)
        return manifest
    }

    /// Field sanity, so a checksummed but nonsensical manifest still gives a named error.
    func validate(path: String) throws(StorageError) {
        guard (1...65_536).contains(configuration.dimension) else {
            throw .corrupt(path, "dimension \(configuration.dimension) out of range")
        }
        guard (2...256).contains(configuration.m), configuration.efConstruction >= 1, configuration.exactScanThreshold >= 0 else {
            throw .corrupt(path, "graph parameters out of range")
        }
        for name in [wal] + segments.flatMap({ [$0.file, $0.graph, $0.tombstones].compactMap { $0 } }) {
            guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else { throw .corrupt(path, "bad file name \"\(name)\"") }
        }
        guard segments.allSatisfy({ $0.id < nextSegmentID && $0.rows >= 0 }) else { throw .corrupt(path, "bad segment id or row count") }
    }

    static func read(directory: String) throws(StorageError) -> Manifest {
        let path = directory + "/" + fileName
        guard POSIX.exists(path) else {
            throw StorageError(code: .notFound, message: "no data directory here (no \(fileName))", path: directory)
        }
        let bytes = try POSIX.readAll(path)
        return try bytes.withRawBytes { (raw) throws(StorageError) in try decode(raw, path: path) }
    }

    func write(directory: String) throws(StorageError) {
        try POSIX.writeAtomically(try encoded(), to: directory + "/" + Manifest.fileName, directory: directory)
    }
}
