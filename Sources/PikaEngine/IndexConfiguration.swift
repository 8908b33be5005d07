import CHNSW

/// How distances are measured. All distances are "lower is closer".
public enum Metric: String, Sendable, CaseIterable, Codable {
    /// Squared Euclidean distance.
    case l2
    /// `1 - dot(a, b)`: vectors are used as given.
    case innerProduct = "ip"
    /// `1 - cos(a, b)`: vectors are normalised on insert and on search.
    case cosine = "cos"

    var cValue: chnsw_metric {
        switch self {
        case .l2: CHNSW_METRIC_L2
        case .innerProduct: CHNSW_METRIC_IP
        case .cosine: CHNSW_METRIC_COSINE
        }
    }

    init?(cValue: chnsw_metric) {
        switch cValue {
        case CHNSW_METRIC_L2: self = .l2
        case CHNSW_METRIC_IP: self = .innerProduct
        case CHNSW_METRIC_COSINE: self = .cosine
        default: return nil
        }
    }
}

/// The SIMD implementation of the distance functions.
public enum DistanceKernel: String, Sendable, CaseIterable {
    /// The widest kernel this CPU supports, picked once when the index is created.
    case automatic = "auto"
    /// Portable C.
    case scalar
    /// AVX2 with fused multiply-add.
    case avx2
    /// AVX-512F.
    case avx512

    /// Whether this CPU can run the kernel.
    public var isSupported: Bool { chnsw_kernel_supported(cValue) != 0 }

    var cValue: chnsw_kernel {
        switch self {
        case .automatic: CHNSW_KERNEL_AUTO
        case .scalar: CHNSW_KERNEL_SCALAR
        case .avx2: CHNSW_KERNEL_AVX2
        case .avx512: CHNSW_KERNEL_AVX512
        }
    }

    init(cValue: chnsw_kernel) {
        switch cValue {
        case CHNSW_KERNEL_SCALAR: self = .scalar
        case CHNSW_KERNEL_AVX2: self = .avx2
        case CHNSW_KERNEL_AVX512: self = .avx512
        default: self = .automatic
        }
    }
}

/// The parameters of a new index.
public struct IndexConfiguration: Sendable, Hashable {
    /// Vector dimension, 1 ... 65536.
    public var dimension: Int
    /// Distance metric.
    public var metric: Metric
    /// Links per node on the upper layers (layer 0 gets twice as many), 2 ... 256.
    public var m: Int = 16
    /// Beam width while inserting.
    public var efConstruction: Int = 200
    /// Seed of the layer generator: the same seed and inserts give the same graph.
    public var seed: UInt64 = 42
    /// Filtered searches over at most this many candidates scan exactly instead of walking the graph.
    public var exactScanThreshold: Int = Int(CHNSW_DEFAULT_EXACT_SCAN_THRESHOLD)
    /// Inserts beyond this many nodes (live and removed) are refused; `nil` is unlimited.
    public var maxElements: Int?
    /// Distance kernel.
    public var kernel: DistanceKernel = .automatic

    /// Creates a configuration with the default graph parameters (M 16, ef_construction 200).
    public init(dimension: Int, metric: Metric) {
        self.dimension = dimension
        self.metric = metric
    }

    func cConfig() throws(EngineError) -> chnsw_config {
        guard let dim = UInt32(exactly: dimension), let m = UInt32(exactly: m),
            let efc = UInt32(exactly: efConstruction), let threshold = UInt32(exactly: exactScanThreshold),
            maxElements.map({ $0 >= 0 }) ?? true
        else {
            throw EngineError(code: .invalidArgument, message: "index configuration values out of range")
        }
        var config = chnsw_config()
        chnsw_config_init(&config, dim, metric.cValue)
        config.m = m
        config.ef_construction = efc
        config.seed = seed
        config.exact_scan_threshold = threshold
        config.max_elements = UInt64(maxElements ?? 0)
        config.kernel = kernel.cValue
        return config
    }
}
