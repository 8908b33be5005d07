import CHNSW

/// The thread count of the process-wide OpenBLAS library, which the engine loads on first use.
///
/// OpenBLAS keeps one global thread pool. A server that runs many searches at once wants
/// each BLAS call on its caller's thread (1); a batch job that runs one large product at
/// a time wants all cores. The setting is process-wide, so only executables set it.
///
/// The binary does not link OpenBLAS: the engine opens `libopenblas.so.0` the first time an
/// exact scan needs it (`chnsw_blas_load`), so a command that never scans exactly does not pay
/// for loading it and starting its pool.
public enum BLASThreads {
    /// Sets the number of threads OpenBLAS uses for each call. Does not load the library: the
    /// count applies now if it is loaded, else as soon as it loads.
    public static func set(_ count: Int) {
        chnsw_blas_set_threads(Int32(clamping: max(count, 1)))
    }

    /// The number of threads OpenBLAS uses for each call; loads the library if nothing has yet.
    /// - Throws: ``EngineError/Code/blasUnavailable`` when `libopenblas.so.0` cannot be loaded.
    public static var current: Int {
        get throws(EngineError) {
            var count: Int32 = 0
            try check(chnsw_blas_threads(&count))
            return Int(count)
        }
    }

    /// Loads OpenBLAS now, for a program that would rather fail at start than at its first exact scan.
    /// - Throws: ``EngineError/Code/blasUnavailable`` when `libopenblas.so.0` cannot be loaded.
    public static func load() throws(EngineError) {
        try check(chnsw_blas_load())
    }
}
