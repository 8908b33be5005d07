#if canImport(Glibc)
    import Glibc
#endif

/// An open write-ahead log file, appended to by one writer at a time.
///
/// Not thread-safe by itself: `DataDirectory` calls `append` only under its writer lock.
/// `sync` may run from the group-commit path concurrently with `append` (fsync of a file
/// being appended to is safe in POSIX), which is why the class is Sendable.
final class WriteAheadLog: @unchecked Sendable {
    // @unchecked: `fd` and `path` are immutable; `size` is only read and written under the
    // data directory's writer lock; fsync on the descriptor is safe from any thread.
    let path: String
    let name: String
    private let fd: Int32
    /// Bytes written so far (header included).
    private(set) var size: Int

    private init(path: String, name: String, fd: Int32, size: Int) {
        self.path = path
        self.name = name
        self.fd = fd
        self.size = size
    }

    deinit { close(fd) }

    /// Creates a new empty log (header only), durable before it returns.
    static func create(directory: String, name: String, dimension: Int, firstLSN: UInt64) throws(StorageError) -> WriteAheadLog {
        let path = directory + "/" + name
        let fd = try POSIX.open(path, O_RDWR | O_CREAT | O_TRUNC)
        let header = WALFormat.header(dimension: dimension, firstLSN: firstLSN)
        do throws(StorageError) {
            try header.withRawBytes { (raw) throws(StorageError) in try POSIX.pwriteAll(fd, raw, at: 0, path: path) }
            try POSIX.fsync(fd, path: path)
            try POSIX.fsyncDirectory(directory)
        } catch {
            close(fd)
            throw error
        }
        return WriteAheadLog(path: path, name: name, fd: fd, size: header.count)
    }

    /// Opens an existing log for appending after its last valid record; a torn tail
    /// (validSize < file size) is cut off first when `truncate` is set.
    static func openForAppend(directory: String, name: String, validSize: Int, truncate: Bool) throws(StorageError) -> WriteAheadLog {
        let path = directory + "/" + name
        let fd = try POSIX.open(path, truncate ? O_RDWR : O_RDONLY)
        if truncate, try POSIX.size(fd, path: path) != validSize {
            try POSIX.ftruncate(fd, validSize, path: path)
            try POSIX.fsync(fd, path: path)
        }
        return WriteAheadLog(path: path, name: name, fd: fd, size: validSize)
    }

    /// Appends encoded records (not yet durable). `size` grows only when all of them are
    /// written: after a failure the file may hold part of them past `size` (see ``cutBack()``).
    ///
    /// `fault` (tests, ``WALFaults``) writes the first half of `bytes`, then fails with that
    /// errno, as a disk that fills up mid-record does.
    func append(_ bytes: [UInt8], fault: Int32? = nil) throws(StorageError) {
        try bytes.withRawBytes { (raw) throws(StorageError) in
            if let fault {
                try POSIX.pwriteAll(fd, UnsafeRawBufferPointer(rebasing: raw[..<(raw.count / 2)]), at: size, path: path)
                throw POSIX.error("pwrite", path, fault)
            }
            try POSIX.pwriteAll(fd, raw, at: size, path: path)
        }
        size += bytes.count
    }

    /// Cuts off whatever a failed append left past `size`, so the next record follows the
    /// last whole one.
    func cutBack() throws(StorageError) { try POSIX.ftruncate(fd, size, path: path) }

    /// Makes everything appended so far durable. `fault` (tests) fails it with that errno
    /// without calling fsync.
    func sync(fault: Int32? = nil) throws(StorageError) {
        if let fault { throw POSIX.error("fsync", path, fault) }
        try POSIX.fsync(fd, path: path)
    }

    /// Reads the first `count` bytes (for snapshots: the prefix of acknowledged records).
    func readPrefix(_ count: Int) throws(StorageError) -> [UInt8] {
        try POSIX.pread(fd, count: count, at: 0, path: path)
    }
}
