#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A whole file mapped read-only into memory, unmapped when the last reference goes away.
///
/// The one mmap helper of the package: sealed storage segments, snapshot archives and the
/// embedding model's weights and vocabulary are all read through it. It lives in PikaEngine
/// because both of its users can depend on this module without a cycle (PikaStorage already
/// does; PikaEmbeddings gains a dependency on a module with no service code), and a module of
/// its own for one class would be one more target to build for nothing. Errors are left to the
/// caller's domain: ``init(path:error:)`` turns a failed system call into the caller's error type.
///
/// `@unchecked Sendable` is safe: every stored property is a `let` set once in `init`, the
/// mapping is `PROT_READ` (no thread can write through it), and `deinit` runs only when no
/// reference, hence no reader, remains. Files are never written while mapped by this package
/// (segments are written under a temporary name, then renamed).
public final class MappedFile: @unchecked Sendable {
    /// The path the file was opened from (for error messages).
    public let path: String
    /// Start of the mapping; nil only for an empty file.
    public let base: UnsafeRawPointer?
    /// Length of the file in bytes.
    public let count: Int
    /// Whether `base` is a heap copy (``init(copying:path:)``) rather than a mapping.
    private let owned: Bool

    /// A failed system call while mapping a file: which call, its errno and the file.
    public struct Failure: Error, Sendable {
        /// The call that failed: `open`, `fstat` or `mmap`.
        public let call: String
        /// errno after the call.
        public let number: Int32
        /// The file.
        public let path: String
        /// errno's text.
        public var reason: String { String(cString: strerror(number)) }
    }

    /// Maps `path` read-only, reporting a failed call through `error`.
    public init<E: Error>(path: String, error: (Failure) -> E) throws(E) {
        self.path = path
        owned = false
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { throw error(Failure(call: "open", number: errno, path: path)) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw error(Failure(call: "fstat", number: errno, path: path)) }
        count = Int(info.st_size)
        guard count > 0 else {
            base = nil
            return
        }
        guard let p = mmap(nil, count, PROT_READ, MAP_SHARED, fd, 0), p != MAP_FAILED else {
            throw error(Failure(call: "mmap", number: errno, path: path))
        }
        #if os(Linux)
            // Pages the page cache holds in 2 MiB folios map 2 MiB per fault and TLB entry (4 KiB
            // pages: 16 per fault, one entry each); this asks that pages read from disk on a fault
            // come in such folios too, as they do when the file was just written in large writes.
            // chnsw_load advises its graph mappings the same (CHNSW/src/persist.c). Advisory: a
            // kernel without transparent huge pages refuses it.
            _ = madvise(p, count, MADV_HUGEPAGE)
        #endif
        base = UnsafeRawPointer(p)
    }

    /// A private heap copy of `bytes`, for parsing bytes that are not in a file (fuzzing, tests).
    public init(copying bytes: [UInt8], path: String) {
        self.path = path
        count = bytes.count
        owned = true
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        bytes.withUnsafeBytes { if let b = $0.baseAddress { memory.copyMemory(from: b, byteCount: bytes.count) } }
        base = UnsafeRawPointer(memory)
    }

    deinit {
        if owned {
            base.map { UnsafeMutableRawPointer(mutating: $0).deallocate() }
        } else if let base {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        }
    }

    /// The mapped bytes; valid while `self` is alive.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Maps every page of the file into this process now, so later reads take no page faults.
    ///
    /// `MADV_POPULATE_READ` (Linux 5.14+) fills the page tables from the page cache, reading
    /// from disk what is not there. Best effort: on an older kernel it does nothing and pages
    /// still fault in on first use, as without it. Costs time in proportion to the file.
    public func prefault() {
        #if os(Linux)
            guard !owned, let base, count > 0 else { return }
            _ = madvise(UnsafeMutableRawPointer(mutating: base), count, Self.populateRead)
        #endif
    }

    /// `MADV_POPULATE_READ` from <linux/mman.h>, which Glibc's module does not export.
    private static let populateRead: Int32 = 22
}
