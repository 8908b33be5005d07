import CHNSW

/// An error from the vector engine, with a stable machine-readable code.
///
/// Codes are part of Pika's public contract (HTTP problem bodies, CLI messages), so they
/// never change meaning; new ones may be added.
public struct EngineError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A stable error code. Extensible: compare against the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, e.g. `"non_finite"`.
        public let name: String
        /// Creates a code from its stable name.
        public init(_ name: String) { self.name = name }
        /// The stable name.
        public var description: String { name }

        /// A required argument was missing or out of range.
        public static let invalidArgument = Code("invalid_argument")
        /// A vector's dimension differs from the index's.
        public static let dimensionMismatch = Code("dimension_mismatch")
        /// A vector holds NaN or infinity.
        public static let nonFinite = Code("non_finite")
        /// A zero vector was given to a cosine index.
        public static let zeroVector = Code("zero_vector")
        /// `k` was zero.
        public static let kZero = Code("k_zero")
        /// `k` exceeds the number of vectors in the index.
        public static let kExceedsCount = Code("k_exceeds_count")
        /// `ef` was smaller than `k`.
        public static let efTooSmall = Code("ef_too_small")
        /// The index holds no vector.
        public static let emptyIndex = Code("empty_index")
        /// The search named a tenant with no vectors.
        public static let unknownTenant = Code("unknown_tenant")
        /// The label is already in the index.
        public static let duplicateLabel = Code("duplicate_label")
        /// The label is not in the index.
        public static let unknownLabel = Code("unknown_label")
        /// Memory ran out; the index is unchanged.
        public static let outOfMemory = Code("out_of_memory")
        /// The index is at its configured capacity.
        public static let capacityExceeded = Code("capacity_exceeded")
        /// The CPU lacks the requested distance kernel.
        public static let unsupportedKernel = Code("unsupported_kernel")
        /// A file operation failed.
        public static let io = Code("io_error")
        /// A file is not an index or is damaged.
        public static let corruptFile = Code("corrupt_file")
        /// A file was written by a newer format version.
        public static let unsupportedVersion = Code("unsupported_version")
        /// A worker thread could not be started.
        public static let thread = Code("thread_error")
        /// OpenBLAS (`libopenblas.so.0`), which exact scans call, could not be loaded.
        public static let blasUnavailable = Code("blas_unavailable")
        /// The engine returned a status this wrapper does not know.
        public static let unknown = Code("engine_error")
    }

    /// What went wrong.
    public let code: Code
    /// A human-readable explanation.
    public let message: String
    /// For a batch insert, the row that was refused.
    public let row: Int?

    /// Creates an error.
    public init(code: Code, message: String, row: Int? = nil) {
        self.code = code
        self.message = message
        self.row = row
    }

    /// `code: message`, with the row when there is one.
    public var description: String {
        if let row { return "\(code): \(message) (row \(row))" }
        return "\(code): \(message)"
    }

    init(status: chnsw_status, context: String? = nil, row: Int? = nil) {
        let code: Code
        switch status {
        case CHNSW_ERR_INVALID_ARGUMENT: code = .invalidArgument
        case CHNSW_ERR_DIMENSION_MISMATCH: code = .dimensionMismatch
        case CHNSW_ERR_NON_FINITE: code = .nonFinite
        case CHNSW_ERR_ZERO_VECTOR: code = .zeroVector
        case CHNSW_ERR_K_ZERO: code = .kZero
        case CHNSW_ERR_K_EXCEEDS_COUNT: code = .kExceedsCount
        case CHNSW_ERR_EF_TOO_SMALL: code = .efTooSmall
        case CHNSW_ERR_EMPTY_INDEX: code = .emptyIndex
        case CHNSW_ERR_UNKNOWN_TENANT: code = .unknownTenant
        case CHNSW_ERR_DUPLICATE_LABEL: code = .duplicateLabel
        case CHNSW_ERR_UNKNOWN_LABEL: code = .unknownLabel
        case CHNSW_ERR_OUT_OF_MEMORY: code = .outOfMemory
        case CHNSW_ERR_CAPACITY_EXCEEDED: code = .capacityExceeded
        case CHNSW_ERR_UNSUPPORTED_KERNEL: code = .unsupportedKernel
        case CHNSW_ERR_IO: code = .io
        case CHNSW_ERR_CORRUPT_FILE: code = .corruptFile
        case CHNSW_ERR_UNSUPPORTED_VERSION: code = .unsupportedVersion
        case CHNSW_ERR_THREAD: code = .thread
        case CHNSW_ERR_BLAS_UNAVAILABLE: code = .blasUnavailable
        default: code = .unknown
        }
        var base = String(cString: chnsw_status_message(status))
        // The loader's own reason (file not found, wrong architecture, missing symbol).
        if status == CHNSW_ERR_BLAS_UNAVAILABLE, let reason = chnsw_blas_load_error() { base += " (\(String(cString: reason)))" }
        self.init(code: code, message: context.map { "\($0): \(base)" } ?? base, row: row)
    }
}

/// Throws the engine error for a non-OK status.
@inline(__always)
func check(_ status: chnsw_status, _ context: @autoclosure () -> String? = nil, row: Int? = nil) throws(EngineError) {
    if status != CHNSW_OK { throw EngineError(status: status, context: context(), row: row) }
}
