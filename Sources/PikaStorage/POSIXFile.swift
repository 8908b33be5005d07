#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers over the POSIX file calls the storage layer needs. Each retries EINTR
/// and throws `StorageError.io` carrying errno's text, the call and the path.
enum POSIX {
    static func error(_ call: String, _ path: String, _ err: Int32 = errno) -> StorageError {
        StorageError(code: .io, message: "\(call) failed: \(String(cString: strerror(err)))", path: path)
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

    /// Names in a directory, without "." and "..".
    static func list(_ directory: String) throws(StorageError) -> [String] {
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

/// A read-only memory mapping of a whole file, unmapped on release.
///
/// The mapping is created in `init` and never changes, so sharing it between threads is
/// safe as long as nobody writes the file, which the storage layer never does to a
/// sealed file (they are written once under a temporary name, then renamed).
final class MappedFile: @unchecked Sendable {
    // @unchecked: `base` and `count` are immutable after init; the mapping is PROT_READ,
    // and munmap runs only in deinit, when no reference (hence no reader) remains.
    let base: UnsafeRawPointer?
    let count: Int
    let path: String

    private let owned: Bool

    /// A private copy of `bytes` (for parsing bytes that are not in a file: fuzzing, tests).
    init(copying bytes: [UInt8], path: String) {
        self.path = path
        count = bytes.count
        owned = true
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { if let b = $0.baseAddress { memory.copyMemory(from: b, byteCount: bytes.count) } }
        base = UnsafeRawPointer(memory)
    }

    init(path: String) throws(StorageError) {
        self.path = path
        owned = false
        let fd = try POSIX.open(path, O_RDONLY)
        defer { close(fd) }
        let size = try POSIX.size(fd, path: path)
        count = size
        if size == 0 {
            base = nil
            return
        }
        let p = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0)
        guard let p, p != MAP_FAILED else { throw POSIX.error("mmap", path) }
        base = UnsafeRawPointer(p)
    }

    /// Maps every page of the file into this process now, so later reads take no page faults.
    ///
    /// `MADV_POPULATE_READ` (Linux 5.14+) fills the page tables from the page cache, reading
    /// from disk what is not there. Best effort: on an older kernel it does nothing and pages
    /// still fault in on first use, as without it. Costs time in proportion to the file.
    func prefault() {
        guard !owned, let base, count > 0 else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base), count, Self.populateRead)
    }

    /// `MADV_POPULATE_READ` from <linux/mman.h>, which Glibc's module does not export.
    private static let populateRead: Int32 = 22

    deinit {
        if owned {
            base.map { UnsafeMutableRawPointer(mutating: $0).deallocate() }
        } else if let base {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        }
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
