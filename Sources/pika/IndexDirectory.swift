#if canImport(Glibc)
import Glibc
#endif

/// Where `pika index` keeps an index inside its directory.
///
/// Until segment directories exist (storage issue), a directory holds one `index.chnsw`
/// file in the engine's own checksummed format.
enum IndexDirectory {
    static let indexFileName = "index.chnsw"

    static func indexPath(_ directory: String) -> String { directory + "/" + indexFileName }

    /// Creates the directory if needed (one level, like `mkdir`).
    static func create(_ directory: String) throws(IndexDirectoryError) {
        if mkdir(directory, 0o755) != 0 && errno != EEXIST {
            throw IndexDirectoryError(path: directory, reason: String(cString: strerror(errno)))
        }
    }

    /// Bytes of the index file.
    static func size(_ directory: String) -> Int {
        var st = stat()
        return stat(indexPath(directory), &st) == 0 ? Int(st.st_size) : 0
    }
}

/// A directory that cannot be created.
struct IndexDirectoryError: Error, CustomStringConvertible {
    let path: String
    let reason: String
    var description: String { "\(path): cannot create directory: \(reason)" }
}

/// Monotonic time in nanoseconds.
func monotonicNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
