#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A whole file mapped read-only into memory; unmapped when the last reference goes away.
///
/// `@unchecked Sendable` is safe: every stored property is a `let` set once in `init`, and the
/// mapping is `PROT_READ`, so no thread can ever write through it; `deinit` runs only when no
/// reference (and hence no reader) remains.
final class MappedFile: @unchecked Sendable {
    /// The path the file was opened from (for error messages).
    let path: String
    /// Start of the mapping.
    let base: UnsafeRawPointer
    /// Length of the file in bytes, never 0.
    let count: Int

    /// Maps `path` read-only. Throws ``EmbeddingError/Code/modelNotFound`` if it does not exist and
    /// ``EmbeddingError/Code/modelInvalid`` if it is empty or cannot be mapped.
    init(path: String) throws(EmbeddingError) {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let err = errno
            throw EmbeddingError(
                err == ENOENT ? .modelNotFound : .modelInvalid,
                "cannot open \(path): \(String(cString: strerror(err)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw EmbeddingError(.modelInvalid, "cannot stat \(path): \(String(cString: strerror(errno)))")
        }
        count = Int(info.st_size)
        guard count > 0 else { throw EmbeddingError(.modelInvalid, "\(path) is empty") }
        guard let pointer = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0), pointer != MAP_FAILED else {
            throw EmbeddingError(.modelInvalid, "cannot mmap \(path): \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(pointer)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: base), count)
    }

    /// The mapped bytes; valid while `self` is alive.
    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }
}
