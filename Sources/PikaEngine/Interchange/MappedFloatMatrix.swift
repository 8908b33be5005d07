#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An `.fbin` file's vectors read in place from a read-only mapping of the file, checked as
/// ``BinaryMatrixFile/readFloats(_:)`` checks them.
///
/// For a caller that only reads the rows once, such as `pika index search` over its queries:
/// reading 2,000 × 384 floats into a fresh array first cost 750 page faults and a copy, 2% of
/// that whole process (docs/benchmarks-archive.md), where the mapping shares the page cache's pages.
public struct MappedFloatMatrix: Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns (the vector dimension).
    public let columns: Int
    private let file: MappedFile

    /// Maps `path` and checks its header against its size.
    /// - Throws: `InterchangeError` naming the file, with the reasons `readFloats` gives.
    public init(path: String) throws(InterchangeError) {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw InterchangeError(path: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw InterchangeError(path: path, reason: "not a regular file") }
        file = try MappedFile(path: path) { InterchangeError(path: path, reason: "cannot \($0.call): \($0.reason)") }
        try BinaryMatrixFile.checkSize(file.count, path: path)
        let header = file.bytes
        (rows, columns) = try BinaryMatrixFile.shape(
            header.loadUnaligned(as: UInt32.self), header.loadUnaligned(fromByteOffset: 4, as: UInt32.self), size: file.count,
            path: path)
    }

    /// Runs `body` with the `rows × columns` values, row after row (valid only inside `body`:
    /// `self`, which holds the mapping, is alive for the call).
    public func withValues<R, E: Error>(_ body: (UnsafeBufferPointer<Float>) throws(E) -> R) throws(E) -> R {
        // The values start at byte 8 of a page-aligned mapping: 4-byte aligned, as Float needs.
        // The host is little-endian on every platform Pika supports (x86-64, arm64).
        let start = file.base.map { ($0 + 8).assumingMemoryBound(to: Float.self) }
        return try body(UnsafeBufferPointer(start: start, count: rows * columns))
    }
}
