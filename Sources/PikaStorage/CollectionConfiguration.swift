import PikaEngine

/// The fixed parameters of a data directory, chosen when it is created and kept in its
/// manifest.
public struct CollectionConfiguration: Sendable, Hashable, Codable {
    /// Vector dimension.
    public var dimension: Int
    /// Distance metric.
    public var metric: Metric
    /// HNSW links per node on the upper layers of every graph.
    public var m: Int = 16
    /// HNSW beam width while building graphs.
    public var efConstruction: Int = 200
    /// Per-tenant searches over at most this many vectors scan the block exactly; larger
    /// ones walk the segment's graph.
    public var exactScanThreshold: Int = 20_000
    /// The embedder that produced the vectors (e.g. "all-MiniLM-L6-v2"), for operators.
    public var embedder: String = ""

    /// Creates a configuration with the engine's defaults.
    public init(dimension: Int, metric: Metric, embedder: String = "") {
        self.dimension = dimension
        self.metric = metric
        self.embedder = embedder
    }

    var indexConfiguration: IndexConfiguration {
        var c = IndexConfiguration(dimension: dimension, metric: metric)
        c.m = m
        c.efConstruction = efConstruction
        c.exactScanThreshold = exactScanThreshold
        return c
    }
}

/// When a write becomes durable, hence when it is acknowledged.
public enum DurabilityPolicy: Sendable, Hashable {
    /// fsync the write-ahead log before every write returns (the default).
    case everyWrite
    /// Group commit: a write returns after an fsync that covers it, and one fsync covers
    /// every write appended before it. A sync starts as soon as none is running; it waits
    /// at most `milliseconds` for writers that are already appending, so a lone writer is
    /// never delayed and concurrent writers share fsyncs.
    case groupCommit(milliseconds: Int)
}

/// How to open a data directory.
public struct OpenOptions: Sendable {
    /// The fsync policy of writes.
    public var durability: DurabilityPolicy = .everyWrite
    /// Open without the writer lock, without truncating a torn WAL tail and without
    /// removing leftover files; every write then throws `readOnly`.
    public var readOnly = false
    /// Seal the growing segment automatically once it holds this many records (0 = never).
    public var sealThreshold = 0
    /// Threads used to build graphs when sealing or compacting.
    public var buildThreads = 1
    /// Whether seal and compaction give each sealed segment an HNSW graph. Without one, every
    /// search of the segment is an exact scan of the tenant's block (of every block for a search
    /// naming no tenant): the memory service's searches each name one user, so it writes none,
    /// which keeps vectors out of a second file and makes a seal a sort and a write.
    /// `rebuild` builds graphs for every segment whatever this says.
    public var sealedGraphs = true
    /// Whether sealed segments carry the int8 copy of their vectors (a quarter of the f32 bytes)
    /// that inner-product and cosine block scans read before rescoring exactly. Without it a
    /// block scan reads the f32 rows: the same answer, four times the bytes per scanned row. The
    /// memory service turns it off: its per-user blocks are small enough that reading f32 costs
    /// little, and the copy would be a quarter more disk than the vectors themselves.
    public var scanCopies = true
    /// Tests only: makes chosen appends to and fsyncs of the write-ahead log fail.
    var faults = WALFaults.none

    /// The defaults: fsync per write, read-write, no automatic sealing.
    public init() {}
}
