#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A row-major matrix read from or written to an interchange file.
public struct Matrix<Element: BitwiseCopyable & Sendable>: Sendable {
    /// Number of rows.
    public var rows: Int
    /// Number of columns (the vector dimension, or k, or 1).
    public var columns: Int
    /// `rows × columns` values, row after row.
    public var values: [Element]

    /// Creates a matrix; `values.count` must be `rows × columns`.
    public init(rows: Int, columns: Int, values: [Element]) {
        precondition(values.count == rows * columns, "values do not fill the matrix")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// Row `i` as an array.
    public func row(_ i: Int) -> ArraySlice<Element> { values[(i * columns)..<((i + 1) * columns)] }
}

/// The big-ann-benchmarks interchange formats: a header of two little-endian u32
/// (row count, column count) followed by the rows as little-endian 4-byte values.
///
/// - `.fbin`: f32 vectors, one per row.
/// - `.ibin`: i32 result rows (labels, best first, -1 for a missing slot).
/// - `.u32bin`: one u32 per row (tenants), column count 1.
public enum BinaryMatrixFile {
    /// Reads an `.fbin` file of vectors.
    public static func readFloats(_ path: String) throws(InterchangeError) -> Matrix<Float> {
        try read(path, as: Float.self)
    }

    /// Reads an `.ibin` file of i32 rows.
    public static func readInt32(_ path: String) throws(InterchangeError) -> Matrix<Int32> {
        try read(path, as: Int32.self)
    }

    /// Reads a `.u32bin` file: one u32 per row. Its column count must be 1.
    public static func readUInt32Column(_ path: String) throws(InterchangeError) -> [UInt32] {
        let matrix = try read(path, as: UInt32.self)
        guard matrix.columns == 1 else {
            throw InterchangeError(path: path, reason: "expected 1 column in a .u32bin file, header says \(matrix.columns)")
        }
        return matrix.values
    }

    /// Writes a matrix atomically (temporary file, then rename).
    public static func write<Element>(_ matrix: Matrix<Element>, to path: String) throws(InterchangeError) {
        guard MemoryLayout<Element>.size == 4 else {
            throw InterchangeError(path: path, reason: "only 4-byte elements are supported")
        }
        guard let rows = UInt32(exactly: matrix.rows), let columns = UInt32(exactly: matrix.columns) else {
            throw InterchangeError(path: path, reason: "too many rows or columns for a u32 header")
        }
        let temporary = path + ".tmp"
        guard let file = fopen(temporary, "wb") else {
            throw InterchangeError(path: path, reason: "cannot create: \(String(cString: strerror(errno)))")
        }
        var header = [rows.littleEndian, columns.littleEndian]
        var ok = fwrite(&header, 4, 2, file) == 2
        ok =
            ok
            && matrix.values.withUnsafeBytes { bytes in
                // The host is little-endian on every platform Pika supports (x86-64, arm64).
                bytes.isEmpty || fwrite(bytes.baseAddress, 1, bytes.count, file) == bytes.count
            }
        ok = (fclose(file) == 0) && ok
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw InterchangeError(path: path, reason: "write failed: \(String(cString: strerror(errno)))")
        }
    }

    private static func read<Element: BitwiseCopyable & Sendable>(
        _ path: String, as _: Element.Type
    ) throws(InterchangeError) -> Matrix<Element> {
        guard let file = fopen(path, "rb") else {
            throw InterchangeError(path: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var st = stat()
        guard fstat(fileno(file), &st) == 0 else {
            throw InterchangeError(path: path, reason: "cannot stat: \(String(cString: strerror(errno)))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw InterchangeError(path: path, reason: "not a regular file")
        }
        let size = Int(st.st_size)
        try checkSize(size, path: path)
        var header = [UInt32](repeating: 0, count: 2)
        guard fread(&header, 4, 2, file) == 2 else {
            throw InterchangeError(path: path, reason: "cannot read the header")
        }
        let (rows, columns) = try shape(header[0], header[1], size: size, path: path)
        let count = rows * columns
        var readOK = true
        let values = [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            let got = count == 0 ? 0 : fread(buffer.baseAddress, 4, count, file)
            readOK = got == count
            initialized = readOK ? count : 0
        }
        guard readOK else {
            throw InterchangeError(path: path, reason: "read failed: \(String(cString: strerror(errno)))")
        }
        return Matrix(rows: rows, columns: columns, values: values)
    }

    /// Refuses a file too short for the header.
    static func checkSize(_ size: Int, path: String) throws(InterchangeError) {
        guard size >= 8 else {
            throw InterchangeError(path: path, reason: "too short for the 8-byte header (\(size) bytes)")
        }
    }

    /// The row and column counts of a header (two little-endian u32), checked against the file's size.
    static func shape(_ rowsField: UInt32, _ columnsField: UInt32, size: Int, path: String) throws(InterchangeError) -> (Int, Int) {
        let rows = Int(UInt32(littleEndian: rowsField))
        let columns = Int(UInt32(littleEndian: columnsField))
        guard columns > 0 else { throw InterchangeError(path: path, reason: "header says 0 columns") }
        let expected = 8 + rows * columns * 4
        guard size == expected else {
            let what = size < expected ? "truncated" : "has trailing bytes"
            throw InterchangeError(
                path: path,
                reason: "\(what): header says \(rows) rows × \(columns) values of 4 bytes (\(expected) bytes), file has \(size) bytes")
        }
        return (rows, columns)
    }
}
