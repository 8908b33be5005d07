import CHNSW

/// A multi-tenant HNSW vector index backed by the CHNSW C engine.
///
/// Every vector has a 64-bit label and a 32-bit tenant. Searches may be restricted to a
/// tenant, a list of labels, or a predicate; the engine then scans small qualifying sets
/// exactly and walks the graph with a filter otherwise.
///
/// Thread safety: any number of searches and reads may run at once from any threads;
/// writes (`add`, `update`, `remove`) are serialised against each other and against searches by the
/// engine's own readers-writer lock, so an index can be shared freely.
public final class VectorIndex: @unchecked Sendable {
    // @unchecked: `handle` is set once in init and never reassigned. Every chnsw_* function
    // called through it is internally synchronised (chnsw.h: readers share a read lock,
    // writers take it exclusively), and chnsw_free runs only in deinit, when no other
    // reference to this object, hence no concurrent call, can exist.
    private let handle: OpaquePointer

    /// The vector dimension, fixed at creation.
    public let dimension: Int

    /// Creates an empty index.
    public init(configuration: IndexConfiguration) throws(EngineError) {
        var config = try configuration.cConfig()
        var out: OpaquePointer?
        try check(chnsw_create(&config, &out), "creating the index")
        guard let out else { throw EngineError(code: .unknown, message: "the engine returned no index") }
        handle = out
        dimension = configuration.dimension
    }

    private init(handle: OpaquePointer) {
        self.handle = handle
        var info = chnsw_info()
        chnsw_get_info(handle, &info)
        dimension = Int(info.dimension)
    }

    deinit { chnsw_free(handle) }

    // MARK: Writing

    /// Inserts one vector.
    /// - Throws: `dimensionMismatch`, `nonFinite`, `zeroVector` (cosine), `duplicateLabel`,
    ///   `capacityExceeded`, `outOfMemory`. On error the index is unchanged.
    public func add(label: UInt64, tenant: UInt32 = 0, vector: [Float]) throws(EngineError) {
        let status = vector.withUnsafeBufferPointer { buffer in
            chnsw_add(handle, label, tenant, buffer.baseAddress, UInt32(clamping: buffer.count))
        }
        try check(status, "adding label \(label)")
    }

    /// Inserts many vectors at once: `vectors` holds `labels.count` rows of `dimension` floats.
    ///
    /// Rows are validated first; on error nothing is inserted and the error names the row.
    /// Rows are stored grouped by tenant, which makes exact per-tenant scans fast.
    /// - Complexity: O(n · log(N) · efConstruction) distance computations, spread over `threads`.
    public func add(
        labels: [UInt64], tenants: [UInt32]? = nil, vectors: [Float], threads: Int = 1
    ) throws(EngineError) {
        guard vectors.count == labels.count * dimension else {
            throw EngineError(
                code: .dimensionMismatch,
                message: "\(vectors.count) floats do not make \(labels.count) rows of dimension \(dimension)")
        }
        if let tenants, tenants.count != labels.count {
            throw EngineError(code: .invalidArgument, message: "\(tenants.count) tenants for \(labels.count) labels")
        }
        var failedRow = Int.max
        let status = labels.withUnsafeBufferPointer { l in
            vectors.withUnsafeBufferPointer { v in
                withOptionalBuffer(tenants) { t in
                    chnsw_add_batch(
                        handle, l.count, l.baseAddress, t, v.baseAddress, UInt32(dimension),
                        UInt32(clamping: max(threads, 1)), &failedRow)
                }
            }
        }
        try check(status, "adding a batch", row: failedRow == Int.max ? nil : failedRow)
    }

    /// Removes a label: no search returns it again.
    /// - Throws: `unknownLabel` if it is not in the index.
    public func remove(label: UInt64) throws(EngineError) {
        try check(chnsw_remove(handle, label), "removing label \(label)")
    }

    /// Replaces a label's vector and tenant, or inserts the label when it is absent.
    ///
    /// Atomic for readers: a concurrent search sees the old version or the new one, never neither.
    /// - Throws: as ``add(label:tenant:vector:)`` (never `duplicateLabel`). On error the index is
    ///   unchanged: the old version stays searchable.
    public func update(label: UInt64, tenant: UInt32 = 0, vector: [Float]) throws(EngineError) {
        let status = vector.withUnsafeBufferPointer { buffer in
            chnsw_update(handle, label, tenant, buffer.baseAddress, UInt32(clamping: buffer.count))
        }
        try check(status, "updating label \(label)")
    }

    // MARK: Reading

    /// Finds the nearest vectors to `query` that satisfy `options`.
    /// - Throws: `dimensionMismatch`, `nonFinite`, `zeroVector`, `kZero`, `kExceedsCount`,
    ///   `efTooSmall`, `emptyIndex`, `unknownTenant`, `invalidArgument`, `outOfMemory`.
    public func search(_ query: [Float], options: SearchOptions = SearchOptions()) throws(EngineError) -> SearchResult {
        var labels: [UInt64] = []
        var distances: [Float] = []
        let (count, stats) = try query.withUnsafeBufferPointer { (q) throws(EngineError) in
            try searchInto(q, options: options, labels: &labels, distances: &distances)
        }
        let hits = (0..<count).map { SearchHit(label: labels[$0], distance: distances[$0]) }
        return SearchResult(hits: hits, plan: SearchPlan(cValue: stats.plan), distanceCount: Int(stats.distance_count))
    }

    /// ``search(_:options:)`` into the caller's buffers, for callers that search many times:
    /// the first `count` elements of `labels` and `distances` hold the hits, best first. The
    /// buffers grow to `options.k` elements when shorter and are otherwise reused, so a search
    /// without `allowedLabels` or a predicate allocates nothing once they have grown.
    /// - Returns: the number of hits.
    /// - Throws: as ``search(_:options:)``.
    public func search(
        _ query: UnsafeBufferPointer<Float>, options: SearchOptions, labels: inout [UInt64], distances: inout [Float]
    ) throws(EngineError) -> Int {
        try searchInto(query, options: options, labels: &labels, distances: &distances).count
    }

    private func searchInto(
        _ query: UnsafeBufferPointer<Float>, options: SearchOptions, labels: inout [UInt64], distances: inout [Float]
    ) throws(EngineError) -> (count: Int, stats: chnsw_search_stats) {
        guard options.k > 0 else { throw EngineError(status: CHNSW_ERR_K_ZERO) }
        guard let k = UInt32(exactly: options.k), let ef = UInt32(exactly: options.ef) else {
            throw EngineError(code: .invalidArgument, message: "k or ef out of range")
        }
        var params = chnsw_search_params()
        chnsw_search_params_init(&params)
        params.k = k
        params.ef = ef
        params.plan = options.plan.cValue
        if let tenant = options.tenant {
            params.restrict_to_tenant = 1
            params.tenant = tenant
        }
        if labels.count < options.k { labels = [UInt64](repeating: 0, count: options.k) }
        if distances.count < options.k { distances = [Float](repeating: 0, count: options.k) }
        var count: UInt32 = 0
        var stats = chnsw_search_stats()
        let predicateBox = options.predicate.map(PredicateBox.init)
        let status = labels.withUnsafeMutableBufferPointer { labelsOut in
            distances.withUnsafeMutableBufferPointer { distancesOut in
                withOptionalBuffer(options.allowedLabels) { allowed in
                    params.allow_labels = allowed
                    params.allow_count = options.allowedLabels?.count ?? 0
                    return withPredicate(predicateBox, into: &params) { params in
                        chnsw_search(
                            handle, query.baseAddress, UInt32(clamping: query.count), &params, labelsOut.baseAddress,
                            distancesOut.baseAddress, &count, &stats)
                    }
                }
            }
        }
        try check(status)
        return (Int(count), stats)
    }

    /// Exact `k` nearest over all live vectors for several queries at once (BLAS sgemm).
    /// `queries` holds rows of `dimension` floats; the result has one array per query.
    public func exactSearch(queries: [Float], k: Int) throws(EngineError) -> [[SearchHit]] {
        guard queries.count % dimension == 0 else {
            throw EngineError(code: .dimensionMismatch, message: "\(queries.count) floats are not rows of \(dimension)")
        }
        let nq = queries.count / dimension
        guard k > 0 else { throw EngineError(status: CHNSW_ERR_K_ZERO) }
        var labels = [UInt64](repeating: 0, count: nq * k)
        var distances = [Float](repeating: 0, count: nq * k)
        let status = queries.withUnsafeBufferPointer { q in
            chnsw_search_exact_batch(handle, q.baseAddress, nq, UInt32(dimension), UInt32(clamping: k), &labels, &distances)
        }
        try check(status)
        return (0..<nq).map { row in
            (0..<k).compactMap { j in
                let i = row * k + j
                return labels[i] == UInt64.max ? nil : SearchHit(label: labels[i], distance: distances[i])
            }
        }
    }

    /// Whether the label is live in the index.
    public func contains(label: UInt64) -> Bool {
        var present: Int32 = 0
        chnsw_contains(handle, label, &present)
        return present != 0
    }

    /// The stored vector of a label (normalised, for cosine indexes).
    public func vector(for label: UInt64) throws(EngineError) -> [Float] {
        var out = [Float](repeating: 0, count: dimension)
        try check(chnsw_get_vector(handle, label, &out, UInt32(dimension)), "reading label \(label)")
        return out
    }

    /// The number of live vectors of a tenant (0 when unknown).
    public func count(tenant: UInt32) -> Int {
        var size: UInt64 = 0
        chnsw_tenant_size(handle, tenant, &size)
        return Int(size)
    }

    /// The number of live vectors, in constant time (``info`` walks every node for its memory figure).
    public var liveCount: Int {
        var count: UInt64 = 0
        chnsw_live_count(handle, &count)
        return Int(count)
    }

    /// Counts, parameters and memory of the index.
    public var info: IndexInfo {
        var raw = chnsw_info()
        chnsw_get_info(handle, &raw)
        return IndexInfo(
            dimension: Int(raw.dimension), metric: Metric(cValue: raw.metric) ?? .l2, m: Int(raw.m),
            efConstruction: Int(raw.ef_construction), exactScanThreshold: Int(raw.exact_scan_threshold),
            kernel: DistanceKernel(cValue: raw.kernel), nodeCount: Int(raw.node_count),
            liveCount: Int(raw.live_count), removedCount: Int(raw.removed_count),
            tenantCount: Int(raw.tenant_count), memoryBytes: Int(raw.memory_bytes))
    }

    // MARK: Files

    /// Writes the index to `path` atomically (temporary file, fsync, rename).
    public func save(to path: String) throws(EngineError) {
        try check(chnsw_save(handle, path), "saving \(path)")
    }

    /// Checks every byte of an index file written by `save(to:)`: what `load(from:)` checks, plus
    /// the checksums of the vectors and walk codes that opening a current-format file leaves to
    /// first use. A damaged file throws `corruptFile`, naming it.
    public static func verifyFile(_ path: String) throws(EngineError) {
        try check(chnsw_verify_file(path), path)
    }

    /// Reads an index written by `save(to:)`. A damaged file throws `corruptFile`, naming it.
    /// A current-format file is mapped and read in place (docs/engine.md, "Files").
    public static func load(from path: String, kernel: DistanceKernel = .automatic) throws(EngineError) -> VectorIndex {
        var out: OpaquePointer?
        try check(chnsw_load(path, nil, kernel.cValue, &out), path)
        guard let out else { throw EngineError(code: .unknown, message: "the engine returned no index") }
        return VectorIndex(handle: out)
    }
}

// MARK: - Bridging helpers

/// Calls `body` with the array's base address, or NULL for a nil array.
private func withOptionalBuffer<T, R>(_ array: [T]?, _ body: (UnsafePointer<T>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress) }
}

/// Holds a Swift predicate for the duration of one C call.
private final class PredicateBox {
    let predicate: LabelPredicate
    init(_ predicate: @escaping LabelPredicate) { self.predicate = predicate }
}

/// Installs the box's trampoline into `params` for the duration of `body`.
private func withPredicate<R>(
    _ box: PredicateBox?, into params: inout chnsw_search_params, _ body: (inout chnsw_search_params) -> R
) -> R {
    guard let box else { return body(&params) }
    return withExtendedLifetime(box) {
        params.predicate = { label, tenant, context in
            let box = Unmanaged<PredicateBox>.fromOpaque(context!).takeUnretainedValue()
            return box.predicate(label, tenant) ? 1 : 0
        }
        params.predicate_context = Unmanaged.passUnretained(box).toOpaque()
        return body(&params)
    }
}
