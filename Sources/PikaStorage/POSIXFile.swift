import PikaEngine

#if canImport(Glibc)
    import Glibc
#endif

/// Thin wrappers over the POSIX file calls the storage layer needs. Each retries EINTR
/// and throws `StorageError.io` (`noSpace` for a full disk) carrying errno's text, the call and the path.
/// Public only for the directory reads the CLI and benchmarks share (``list(_:)``, ``regularFileBytes(in:)``).
public enum POSIX {
    static func error(_ call: String, _ path: String, _ err: Int32 = errno) -> StorageError {
        let code: StorageError.Code = err == ENOSPC || err == EDQUOT ? .noSpace : .io
        return StorageError(code: code, message: "\(call) failed: \(String(cString: strerror(err)))", path: path)
    }

    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0o644) throws(StorageError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            if errno != EINTR { throw error("open", path) }
        }
    }

    /// Writes all of `bytes` at `offset`.
    static func pwriteAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, at offset: Int, path: String) throws(StorageError) {
        var done = 0
        while done < bytes.count {
            let n = Glibc.pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw error("pwrite", path)
            }
            done += n
        }
    }

    /// Reads exactly `count` bytes at `offset` (fewer only at end of file).
    static func pread(_ fd: Int32, count: Int, at offset: Int, path: String) throws(StorageError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let n = out.withUnsafeMutableBytes { Glibc.pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if n < 0 {
                if errno == EINTR { continue }
                throw error("pread", path)
            }
            if n == 0 { break }
            done += n
        }
        out.removeLast(count - done)
        return out
    }

    static func fsync(_ fd: Int32, path: String) throws(StorageError) {
        while Glibc.fsync(fd) != 0 {
            if errno != EINTR { throw error("fsync", path) }
        }
    }

    static func ftruncate(_ fd: Int32, _ size: Int, path: String) throws(StorageError) {
        while Glibc.ftruncate(fd, off_t(size)) != 0 {
            if errno != EINTR { throw error("ftruncate", path) }
        }
    }

    static func size(_ fd: Int32, path: String) throws(StorageError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw error("fstat", path) }
        return Int(st.st_size)
    }

    static func fileSize(_ path: String) -> Int? {
        var st = stat()
        return stat(path, &st) == 0 ? Int(st.st_size) : nil
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Makes a rename or create in `directory` durable.
    static func fsyncDirectory(_ directory: String) throws(StorageError) {
        let fd = try open(directory, O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try fsync(fd, path: directory)
    }

    static func rename(_ from: String, _ to: String) throws(StorageError) {
        guard Glibc.rename(from, to) == 0 else { throw error("rename to \(to)", from) }
    }

    static func unlink(_ path: String) { _ = Glibc.unlink(path) }

    static func mkdir(_ path: String) throws(StorageError) {
        if Glibc.mkdir(path, 0o755) != 0 && errno != EEXIST { throw error("mkdir", path) }
    }

    /// Names in a directory, without "." and "..", sorted: the one `readdir` loop of the package.
    public static func list(_ directory: String) throws(StorageError) -> [String] {
        guard let dir = opendir(directory) else { throw error("opendir", directory) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Bytes of the regular files directly in `directory` (subdirectories not entered).
    public static func regularFileBytes(in directory: String) throws(StorageError) -> Int {
        var total = 0
        for name in try list(directory) {
            var st = stat()
            if stat(directory + "/" + name, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG { total += Int(st.st_size) }
        }
        return total
    }

    /// Writes `bytes` to `path` atomically: a temporary file, fsync, rename, fsync of the directory.
    static func writeAtomically(_ bytes: [UInt8], to path: String, directory: String) throws(StorageError) {
        let temporary = path + ".tmp"
        let fd = try open(temporary, O_WRONLY | O_CREAT | O_TRUNC)
        do throws(StorageError) {
            try bytes.withRawBytes { (raw) throws(StorageError) in try pwriteAll(fd, raw, at: 0, path: temporary) }
            try fsync(fd, path: temporary)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        try rename(temporary, path)
        try fsyncDirectory(directory)
    }

    /// The whole file.
    static func readAll(_ path: String) throws(StorageError) -> [UInt8] {
        let fd = try open(path, O_RDONLY)
        defer { close(fd) }
        return try pread(fd, count: try size(fd, path: path), at: 0, path: path)
    }
}

extension MappedFile {
    /// Maps a storage file read-only; a failed call is a `StorageError` naming the file.
    convenience init(path: String) throws(StorageError) {
        try self.init(path: path) { POSIX.error($0.call, $0.path, $0.number) }
    }
}
