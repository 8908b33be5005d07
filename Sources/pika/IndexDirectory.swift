import Foundation
import PikaDataStore
import PikaEngine
import PikaService
import PikaStorage

#if canImport(Glibc)
    import Glibc
#endif

/// How `pika` commands reach a data directory (docs/storage.md): `index build --out DIR`
/// writes one, and every other command opens it (`--index DIR` or `--data-dir DIR`).
enum IndexDirectory {
    /// Opens a data directory; a missing or unreadable one exits 2, a damaged manifest 1.
    static func open(_ directory: String, readOnly: Bool = true) throws -> DataDirectory {
        let path = resolve(directory)
        // A service data directory's segments keep the service's shape when a command seals or
        // compacts them (no graphs; the int8 copy only under PIKA_SCAN_COPIES=on).
        var options = path == directory ? OpenOptions() : SegmentMemoryStore.segmentOptions(scanCopies: try scanCopiesSetting())
        options.readOnly = readOnly
        do {
            let store = try DataDirectory.open(at: path, options: options)
            for problem in store.recovery.problems { FileHandleStderr.write("pika: warning: \(problem)\n") }
            return store
        } catch {
            throw fail(error.description, status: error.code == .notFound || error.code == .io ? 2 : 1)
        }
    }

    /// The segment store a `--data-dir` names: the directory itself, or, for the data directory of
    /// `pika serve` (memories in its `memories/` folder beside `pika.sqlite`), that folder.
    static func resolve(_ directory: String) -> String {
        let nested = directory + "/memories"
        if access(directory + "/MANIFEST", F_OK) != 0, access(nested + "/MANIFEST", F_OK) == 0 { return nested }
        return directory
    }

    /// `PIKA_SCAN_COPIES` for the commands that seal a service's segments without the service
    /// (`pika serve` reads it through its configuration); a value other than on/off exits 2.
    static func scanCopiesSetting() throws -> Bool {
        guard let value = ProcessInfo.processInfo.environment["PIKA_SCAN_COPIES"] else { return false }
        guard let on = ServiceConfiguration.scanCopies(value) else {
            throw fail("PIKA_SCAN_COPIES: '\(value)' is not on or off", status: 2)
        }
        return on
    }

    /// Prepares `directory` for a fresh build: creates it, or empties a previous data
    /// directory in it. A directory holding anything else is refused.
    static func prepareForBuild(_ directory: String) throws {
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw fail("\(directory): cannot create directory: \(String(cString: strerror(errno)))", status: 1)
        }
        let names: [String]
        do { names = try POSIX.list(directory) } catch {
            throw fail("\(directory): cannot list directory: \(error.description)", status: 1)
        }
        let ours = names.allSatisfy {
            ["MANIFEST", "LOCK", "SNAPSHOTS", "index.chnsw"].contains($0) || $0.hasPrefix("seg-") || $0.hasPrefix("wal-")
                || $0.hasSuffix(".tmp") || $0.hasSuffix(".damaged")
        }
        guard ours else { throw fail("\(directory): not empty and not a data directory; refusing to overwrite", status: 1) }
        for name in names { unlink(directory + "/" + name) }
    }

    /// Bytes of every file in the directory.
    static func size(_ directory: String) -> Int { (try? POSIX.regularFileBytes(in: directory)) ?? 0 }
}

/// Wall-clock time in milliseconds since the Unix epoch.
func wallClockMilliseconds() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}
