/// One hit of an ids-only search: a live record's id and its distance to the query.
public struct RecordIDHit: Sendable, Hashable {
    /// The record's id.
    public var id: String
    /// Distance to the query under the collection's metric (lower is closer).
    public var distance: Float

    /// Creates a hit.
    public init(id: String, distance: Float) {
        self.id = id
        self.distance = distance
    }
}

/// The result of ``DataDirectory/searchIDs(_:options:into:)``, meant to be reused: a caller
/// that runs many searches keeps one per thread, so an exact scan allocates no buffer once
/// they have grown (growing-segment and graph searches still allocate, and ids longer than
/// 15 bytes of UTF-8 are heap strings).
public struct RecordIDSearch: Sendable {
    /// The last search's hits, best first (ties by id), at most k.
    public internal(set) var hits: [RecordIDHit] = []
    /// Whether the last search walked a sealed segment's graph (false: exact block scans only).
    public internal(set) var usedGraph = false
    var scratch = SearchScratch()

    /// Creates an empty result.
    public init() {}
}

/// A sealed segment's hit before its record is read: segment is an index into the
/// segment list the search took under the state lock.
struct SealedCandidate: Sendable {
    var segment: Int
    var row: Int
    var distance: Float
}

/// Buffers a search reuses: the exact scan's outputs and the sealed segments' candidates.
struct SearchScratch: Sendable {
    var rows: [UInt64] = []
    var distances: [Float] = []
    var candidates: [SealedCandidate] = []
    /// Every candidate's distance, to find the k-th best (`DataDirectory.trim`).
    var cutoff: [Float] = []
    /// Where `searchIDs` stores the sum of the bytes it touched, so the loads stay in the program.
    var touchSink: UInt8 = 0

    /// Runs `body` with `rows` and `distances` moved out (a swap, no copy) and moves them back
    /// after, so `body` can fill them while it appends to the scratch's `candidates`.
    mutating func borrowingOutputs<R>(
        _ body: (inout SearchScratch, inout [UInt64], inout [Float]) throws(StorageError) -> R
    ) throws(StorageError) -> R {
        var rows: [UInt64] = []
        var distances: [Float] = []
        swap(&rows, &self.rows)
        swap(&distances, &self.distances)
        defer {
            swap(&rows, &self.rows)
            swap(&distances, &self.distances)
        }
        return try body(&self, &rows, &distances)
    }
}

/// What a search found before any sealed record was read.
struct GatheredSearch {
    /// Hits of the growing segment (its records are in memory).
    var growing: [RecordHit]
    /// The sealed segments the candidates' `segment` indexes into.
    var segments: [SealedSegment]
    /// Deleted rows per segment id, as of the same moment.
    var deleted: [UInt64: Bitmap]
    var usedGraph: Bool
}

extension DataDirectory {
    /// The ids of the k nearest live records to `query`, best first (ties by id): the same
    /// ids and distances as ``searchReport(_:options:)``, without decoding whole records.
    ///
    /// Each returned sealed record is still checked against its own CRC-32C (cheap next to
    /// the scan; the same check `search` makes), so a damaged record is reported naming its
    /// file, never returned. `result` is overwritten; reuse it across searches to avoid
    /// allocating per query. `query` is read in place and must hold `configuration.dimension` floats.
    /// - Throws: as ``search(_:options:)``.
    public func searchIDs(
        _ query: UnsafeBufferPointer<Float>, options: RecordSearchOptions, into result: inout RecordIDSearch
    ) throws(StorageError) {
        result.hits.removeAll(keepingCapacity: true)
        let gathered = try gather(query, options: options, scratch: &result.scratch)
        result.usedGraph = gathered.usedGraph
        for hit in gathered.growing { result.hits.append(RecordIDHit(id: hit.record.id, distance: hit.distance)) }
        let candidates = result.scratch.candidates
        // Bring every candidate's record into cache first: the loads are independent, so
        // their cache and TLB misses overlap instead of being paid one after another.
        var touched: UInt8 = 0
        for c in candidates { touched &+= gathered.segments[c.segment].touchRecord(at: c.row) }
        for c in candidates {
            result.hits.append(RecordIDHit(id: try gathered.segments[c.segment].recordID(at: c.row), distance: c.distance))
        }
        result.hits.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.id < $1.id }
        if result.hits.count > options.k { result.hits.removeLast(result.hits.count - options.k) }
        result.scratch.touchSink = touched
    }

    /// Validates the query, searches the growing segment and every sealed one, and leaves in
    /// `scratch.candidates` the sealed hits that can still be among the k best (`trim`).
    func gather(
        _ query: UnsafeBufferPointer<Float>, options: RecordSearchOptions, scratch: inout SearchScratch
    ) throws(StorageError) -> GatheredSearch {
        try validate(query)
        guard options.k >= 1, options.ef >= 1 else { throw StorageError(code: .invalidArgument, message: "k and ef must be at least 1") }
        var gathered: GatheredSearch
        while true {
            // The state lock only to take references: the growing segment's graph is searched outside
            // it (the engine index has its own lock), so searches neither queue behind each other nor
            // behind writes. Its slots are mapped to records under the lock again; if a seal replaced
            // the growing segment meanwhile, its records moved to a sealed segment: search again.
            let (index, empty, segments, deleted) = state.withLock { s in (s.growing.index, s.growing.count == 0, s.segments, s.deleted) }
            // An empty growing segment (a bulk-loaded directory) costs no copy of the query.
            let slots =
                empty
                ? []
                : try GrowingSegment.searchSlots(index, query, k: options.k, ef: options.ef, tenant: options.tenant, plan: options.plan)
            let growing = state.withLock { s -> [RecordHit]? in
                guard s.growing.index === index else { return nil }
                // A slot removed meanwhile was deleted or replaced by a write that ran beside this search.
                return slots.compactMap { hit in s.growing.records[hit.label].map { RecordHit(record: $0, distance: hit.distance) } }
            }
            if let growing {
                gathered = GatheredSearch(growing: growing, segments: segments, deleted: deleted, usedGraph: false)
                break
            }
        }
        scratch.candidates.removeAll(keepingCapacity: true)
        for (index, segment) in gathered.segments.enumerated() {
            try segment.search(
                query, k: options.k, ef: options.ef, tenant: options.tenant, deleted: gathered.deleted[segment.id] ?? Bitmap(),
                threshold: configuration.exactScanThreshold, plan: options.plan, usedGraph: &gathered.usedGraph,
                segmentIndex: index, into: &scratch)
        }
        trim(k: options.k, growing: gathered.growing, scratch: &scratch)
        return gathered
    }

    /// Drops the sealed candidates farther than the k-th best distance over all candidates:
    /// at least k others are strictly closer, so they cannot be returned, and their records
    /// need not be read. Candidates at exactly that distance stay (ties are broken by id).
    func trim(k: Int, growing: [RecordHit], scratch: inout SearchScratch) {
        guard growing.count + scratch.candidates.count > k else { return }
        scratch.cutoff.removeAll(keepingCapacity: true)
        for hit in growing { scratch.cutoff.append(hit.distance) }
        for c in scratch.candidates { scratch.cutoff.append(c.distance) }
        scratch.cutoff.sort()
        let limit = scratch.cutoff[k - 1]
        scratch.candidates.removeAll { $0.distance > limit }
    }
}
