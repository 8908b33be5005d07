import CBLAS

/// The thread count of the process-wide OpenBLAS library.
///
/// OpenBLAS keeps one global thread pool. A server that runs many searches at once wants
/// each BLAS call on its caller's thread (1); a batch job that runs one large product at
/// a time wants all cores. The setting is process-wide, so only executables set it.
public enum BLASThreads {
    /// Sets the number of threads OpenBLAS uses for each call.
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(clamping: max(count, 1)))
    }

    /// The number of threads OpenBLAS uses for each call.
    public static var current: Int { Int(openblas_get_num_threads()) }
}
