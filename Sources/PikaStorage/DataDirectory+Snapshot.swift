import Foundation
import PikaEngine

#if canImport(Glibc)
    import Glibc
#endif

extension DataDirectory {
    /// Writes a consistent point-in-time snapshot to `file` while writes continue.
    ///
    /// Under the writer lock (microseconds) it syncs the log and notes the manifest and
    /// the log's length: every acknowledged write up to then is in that prefix, and no
    /// record is half in it. Sealed files are immutable, and the maintenance lock keeps
    /// them from being removed while they are copied. The snapshot is listed in the
    /// directory's `SNAPSHOTS` file.
    @discardableResult
    public func snapshot(to file: String) throws(StorageError) -> SnapshotInfo {
        try maintenance.withLock { (_) throws(StorageError) -> SnapshotInfo in
            let (manifest, walBytes, lsn, records) = try writer.withLock { (w) throws(StorageError) in
                guard let wal = w.wal else { throw StorageError(code: .readOnly, message: "opened read-only", path: path) }
                try walGuard.sync(wal)
                commit?.markDurable(w.nextLSN - 1)
                return (state.withLock { $0.manifest }, try wal.readPrefix(wal.size), w.nextLSN - 1, count)
            }
            var names: [String] = []
            for s in manifest.segments { names += [s.file] + [s.graph, s.tombstones].compactMap { $0 } }
            let created = Int64(Date().timeIntervalSince1970 * 1000)
            let temporary = file + ".tmp"
            let fd = try POSIX.open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
            var offset = 0
            var ok = false
            defer {
                close(fd)
                if !ok { POSIX.unlink(temporary) }
            }
            func put(_ bytes: UnsafeRawBufferPointer) throws(StorageError) {
                try POSIX.pwriteAll(fd, bytes, at: offset, path: temporary)
                offset += bytes.count
            }
            func putArray(_ bytes: [UInt8]) throws(StorageError) {
                try bytes.withRawBytes { (raw) throws(StorageError) in try put(raw) }
            }
            func putFile(_ name: String, contents: [UInt8]) throws(StorageError) {
                try putArray(SnapshotArchive.entryHeader(name: name, size: contents.count))
                try putArray(contents)
                var w = ByteWriter()
                w.u32(Checksum.crc32c(contents))
                try putArray(w.bytes)
            }
            try putArray(SnapshotArchive.encodeHeader(.init(files: names.count + 2, lsn: lsn, createdAt: created)))
            for name in names {
                let mapped = try MappedFile(path: path + "/" + name)
                try putArray(SnapshotArchive.entryHeader(name: name, size: mapped.count))
                try put(mapped.bytes)
                var w = ByteWriter()
                w.u32(Checksum.crc32c(mapped.bytes))
                try putArray(w.bytes)
            }
            try putFile(manifest.wal, contents: walBytes)
            try putFile(Manifest.fileName, contents: try manifest.encoded())
            try POSIX.fsync(fd, path: temporary)
            try POSIX.rename(temporary, file)
            ok = true
            let info = SnapshotInfo(path: file, createdAt: created, lsn: lsn, bytes: offset, files: names.count + 2, records: records)
            try recordSnapshot(info)
            return info
        }
    }

    private func recordSnapshot(_ info: SnapshotInfo) throws(StorageError) {
        let listPath = path + "/SNAPSHOTS"
        guard let line = try? JSONEncoder().encode(info) else { return }
        let fd = try POSIX.open(listPath, O_WRONLY | O_CREAT | O_APPEND)
        defer { close(fd) }
        let bytes = Array(line) + [10]
        let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw POSIX.error("write", listPath) }
        try POSIX.fsync(fd, path: listPath)
    }

    /// The snapshots created from the data directory at `path`, oldest first, with whether
    /// each archive still exists.
    public static func listSnapshots(at path: String) throws(StorageError) -> [(info: SnapshotInfo, exists: Bool)] {
        let listPath = path + "/SNAPSHOTS"
        guard POSIX.exists(listPath) else { return [] }
        let bytes = try POSIX.readAll(listPath)
        return bytes.split(separator: 10).compactMap { line in
            guard let info = try? JSONDecoder().decode(SnapshotInfo.self, from: Data(line)) else { return nil }
            return (info, POSIX.exists(info.path))
        }
    }

    /// Restores the snapshot `file` into `directory`, checking every checksum first.
    /// The target must be empty unless `force` is set, in which case its data files are
    /// removed first. The restored directory answers exactly the searches the source did
    /// at the snapshot's LSN.
    /// - Throws: `notEmpty`, `corruptFile` naming the archive, `io`.
    @discardableResult
    public static func restore(from file: String, to directory: String, force: Bool = false) throws(StorageError) -> SnapshotInfo {
        let archive = try MappedFile(path: file)
        let bytes = archive.bytes
        let header = try SnapshotArchive.parseHeader(bytes, path: file)
        // Validate everything before touching the target.
        var r = ByteReader(bytes, path: file, offset: SnapshotArchive.headerSize)
        var entries: [(name: String, range: Range<Int>)] = []
        for _ in 0..<header.files {
            let (name, size) = try SnapshotArchive.parseEntry(&r)
            let data = try r.bytes(size, name)
            let crc = try r.u32("\(name) checksum")
            guard Checksum.crc32c(data) == crc else { throw .corrupt(file, "\(name): checksum mismatch") }
            entries.append((name, (r.offset - 4 - size)..<(r.offset - 4)))
        }
        guard r.remaining == 0 else { throw .corrupt(file, "\(r.remaining) trailing bytes after the last file") }
        guard let manifestEntry = entries.last, manifestEntry.name == Manifest.fileName else {
            throw .corrupt(file, "the last file is not the MANIFEST")
        }
        let manifest = try Manifest.decode(
            UnsafeRawBufferPointer(rebasing: bytes[manifestEntry.range]), path: file + ":" + Manifest.fileName)

        try POSIX.mkdir(directory)
        let existing = try POSIX.list(directory).filter { $0 != "LOCK" }
        if !existing.isEmpty {
            guard force else {
                throw StorageError(
                    code: .notEmpty, message: "target holds \(existing.count) entries; use --force to replace them", path: directory)
            }
            for name in existing { POSIX.unlink(directory + "/" + name) }
        }
        for entry in entries where entry.name != Manifest.fileName {
            let target = directory + "/" + entry.name
            let fd = try POSIX.open(target, O_WRONLY | O_CREAT | O_TRUNC)
            defer { close(fd) }
            try POSIX.pwriteAll(fd, UnsafeRawBufferPointer(rebasing: bytes[entry.range]), at: 0, path: target)
            try POSIX.fsync(fd, path: target)
        }
        try manifest.write(directory: directory)
        return SnapshotInfo(path: file, createdAt: header.createdAt, lsn: header.lsn, bytes: bytes.count, files: header.files, records: -1)
    }
}
