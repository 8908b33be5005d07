import CHNSW

/// How a search is executed.
public enum SearchPlan: String, Sendable, CaseIterable {
    /// Let the planner choose by the size of the qualifying set.
    case automatic = "auto"
    /// Score every qualifying vector: recall 1.0.
    case exact
    /// Walk the graph (filtered when the search has a filter).
    case graph

    var cValue: chnsw_plan {
        switch self {
        case .automatic: CHNSW_PLAN_AUTO
        case .exact: CHNSW_PLAN_EXACT
        case .graph: CHNSW_PLAN_GRAPH
        }
    }

    init(cValue: chnsw_plan) {
        switch cValue {
        case CHNSW_PLAN_EXACT: self = .exact
        case CHNSW_PLAN_GRAPH: self = .graph
        default: self = .automatic
        }
    }
}

/// A predicate on a candidate's label and tenant; `true` keeps it.
///
/// It runs on the searching thread, possibly on many threads at once, while the index is
/// read-locked: it must be fast and must not call back into the same index.
public typealias LabelPredicate = @Sendable (_ label: UInt64, _ tenant: UInt32) -> Bool

/// What to search for besides the query vector.
public struct SearchOptions: Sendable {
    /// Results wanted (at least 1, at most the index's live count).
    public var k: Int
    /// Beam width of the graph search, at least `k`. Larger is slower and more accurate.
    public var ef: Int
    /// Restrict results to one tenant.
    public var tenant: UInt32?
    /// Restrict results to these labels (for metadata pre-filters).
    public var allowedLabels: [UInt64]?
    /// A further condition on each candidate.
    public var predicate: LabelPredicate?
    /// Force a plan (benchmarks, tests).
    public var plan: SearchPlan = .automatic

    /// Creates options for the `k` nearest with beam width `ef` (default `max(64, k)`).
    public init(k: Int = 10, ef: Int? = nil, tenant: UInt32? = nil) {
        self.k = k
        self.ef = ef ?? max(64, k)
        self.tenant = tenant
    }
}

/// One search result.
public struct SearchHit: Sendable, Hashable {
    /// The vector's label.
    public var label: UInt64
    /// Its distance to the query (lower is closer).
    public var distance: Float
}

/// The results of a search, best first, and how they were found.
public struct SearchResult: Sendable {
    /// Hits, best first. Fewer than `k` only when fewer vectors qualify.
    public var hits: [SearchHit]
    /// The plan the engine used.
    public var plan: SearchPlan
    /// Distances computed.
    public var distanceCount: Int
}

/// Facts about an index.
public struct IndexInfo: Sendable, Hashable {
    /// Vector dimension.
    public var dimension: Int
    /// Distance metric.
    public var metric: Metric
    /// Links per node on the upper layers.
    public var m: Int
    /// Beam width used while inserting.
    public var efConstruction: Int
    /// The planner's exact-scan threshold.
    public var exactScanThreshold: Int
    /// The distance kernel in use.
    public var kernel: DistanceKernel
    /// Nodes in the graph, including removed ones.
    public var nodeCount: Int
    /// Vectors that searches can return.
    public var liveCount: Int
    /// Tombstones.
    public var removedCount: Int
    /// Tenants with at least one live vector.
    public var tenantCount: Int
    /// Heap bytes held by the index.
    public var memoryBytes: Int
}
