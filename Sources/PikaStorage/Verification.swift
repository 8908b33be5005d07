import PikaEngine

/// What `verify` found in each file of a data directory.
public struct VerificationReport: Sendable {
    /// One checked file.
    public struct FileCheck: Sendable, Hashable {
        /// File name inside the directory.
        public var file: String
        /// What kind of file it is (manifest, wal, segment, graph, tombstones).
        public var kind: String
        /// nil when every check passed; otherwise the named error.
        public var error: StorageError?
    }

    /// Every file checked, in manifest order.
    public var files: [FileCheck] = []

    /// Whether every file passed.
    public var isHealthy: Bool { files.allSatisfy { $0.error == nil } }
}

extension DataDirectory {
    /// Checks every checksum of every file the manifest names, without modifying anything:
    /// the manifest, each segment (header, metadata, vectors, every record), its graph (the
    /// engine's checksums and bounds), its tombstones, and every record of the log. A torn
    /// last log record is reported as damage too (opening would truncate it).
    public static func verify(at path: String) -> VerificationReport {
        var report = VerificationReport()
        let manifest: Manifest
        do throws(StorageError) {
            manifest = try Manifest.read(directory: path)
            report.files.append(.init(file: Manifest.fileName, kind: "manifest", error: nil))
        } catch {
            report.files.append(.init(file: Manifest.fileName, kind: "manifest", error: error))
            return report
        }
        for entry in manifest.segments {
            var segment: SealedSegment?
            do throws(StorageError) {
                let s = try SealedSegment(directory: path, entry: entry)
                try s.verifyDeep()
                segment = s
                report.files.append(.init(file: entry.file, kind: "segment", error: nil))
            } catch {
                report.files.append(.init(file: entry.file, kind: "segment", error: error))
            }
            if let graph = entry.graph {
                do throws(StorageError) {
                    // Every byte of the file (opening leaves the vectors' and codes' checksums to this).
                    do { try VectorIndex.verifyFile(path + "/" + graph) } catch {
                        throw StorageError(code: .corruptFile, message: "\(error)", path: path + "/" + graph)
                    }
                    if let segment { _ = try segment.loadGraph() }
                    report.files.append(.init(file: graph, kind: "graph", error: nil))
                } catch {
                    report.files.append(.init(file: graph, kind: "graph", error: error))
                }
            }
            if let name = entry.tombstones {
                do throws(StorageError) {
                    _ = try TombstoneFile.read(directory: path, name: name, segment: entry.id, rowLimit: entry.rows)
                    report.files.append(.init(file: name, kind: "tombstones", error: nil))
                } catch {
                    report.files.append(.init(file: name, kind: "tombstones", error: error))
                }
            }
        }
        let walPath = path + "/" + manifest.wal
        do throws(StorageError) {
            let bytes = try POSIX.readAll(walPath)
            let scan = try bytes.withRawBytes { (raw) throws(StorageError) in try WALFormat.scan(raw, path: walPath) }
            var error = scan.damage
            if error == nil, scan.tornBytes > 0 {
                error = .corrupt(walPath, "torn last record: \(scan.tornBytes) bytes at offset \(scan.validSize)")
            }
            report.files.append(.init(file: manifest.wal, kind: "wal", error: error))
        } catch {
            report.files.append(.init(file: manifest.wal, kind: "wal", error: error))
        }
        return report
    }
}
