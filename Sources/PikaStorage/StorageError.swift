/// An error from the storage layer, with a stable machine-readable code and, when a file
/// is involved, the file's path.
///
/// Codes never change meaning (they reach CLI messages and HTTP problem bodies); new ones
/// may be added.
public struct StorageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code. Extensible: compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. `"corrupt_file"`.
        public let name: String
        /// Creates a code from its stable name.
        public init(_ name: String) { self.name = name }
        /// The stable name.
        public var description: String { name }

        /// A system call failed (open, read, write, fsync, rename, mmap).
        public static let io = Code("io_error")
        /// A file is damaged: bad magic, checksum, size or field.
        public static let corruptFile = Code("corrupt_file")
        /// A file was written by a newer format version this build does not know.
        public static let unsupportedVersion = Code("unsupported_version")
        /// The directory holds no data directory (no MANIFEST).
        public static let notFound = Code("not_found")
        /// The target directory is not empty (restore without `force`, create over data).
        public static let notEmpty = Code("not_empty")
        /// Another process holds the data directory's lock.
        public static let locked = Code("locked")
        /// An argument is out of range.
        public static let invalidArgument = Code("invalid_argument")
        /// A vector's dimension differs from the collection's.
        public static let dimensionMismatch = Code("dimension_mismatch")
        /// A vector holds NaN or infinity, or is zero for a cosine collection.
        public static let invalidVector = Code("invalid_vector")
        /// The directory was opened read-only and the call would write.
        public static let readOnly = Code("read_only")
        /// The vector engine refused an operation; the message carries its code.
        public static let engine = Code("engine_error")
        /// The disk (or the user's quota) is full; nothing was written. Writes succeed again once
        /// space is freed.
        public static let noSpace = Code("no_space")
        /// Writes are refused because an earlier fsync of the write-ahead log failed (or a failed
        /// append could not be undone), so the log can no longer promise durability. Reads go on;
        /// writes fail with this code until the directory is closed and reopened, which replays
        /// the log from disk (`DataDirectory.writeFailure` holds the cause). docs/storage.md,
        /// "Write failures".
        public static let storageUnavailable = Code("storage_unavailable")
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation.
    public let message: String
    /// The file concerned, when there is one.
    public let path: String?

    /// Creates an error.
    public init(code: Code, message: String, path: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
    }

    /// `path: code: message`.
    public var description: String {
        if let path { return "\(path): \(code): \(message)" }
        return "\(code): \(message)"
    }

    static func corrupt(_ path: String, _ message: String) -> StorageError {
        StorageError(code: .corruptFile, message: message, path: path)
    }
}
