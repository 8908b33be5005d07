import PikaEngine

/// The mutable segment: records written since the last seal, indexed in memory by an
/// HNSW graph whose labels are slot numbers. Its durable copy is the write-ahead log.
/// A value owned by `StorageState`, mutated only under the state lock.
struct GrowingSegment: Sendable {
    let index: VectorIndex
    var records: [UInt64: StoredRecord] = [:]
    var slotOfID: [String: UInt64] = [:]
    var nextSlot: UInt64 = 0

    init(configuration: CollectionConfiguration) throws(StorageError) {
        do {
            index = try VectorIndex(configuration: configuration.indexConfiguration)
        } catch {
            throw StorageError(code: .engine, message: "\(error)")
        }
    }

    var count: Int { records.count }

    mutating func insert(_ record: StoredRecord, vector: [Float]) throws(StorageError) {
        let slot = nextSlot
        do {
            try index.add(label: slot, tenant: record.tenant, vector: vector)
        } catch {
            throw StorageError(code: .engine, message: "\(error)")
        }
        nextSlot += 1
        records[slot] = record
        slotOfID[record.id] = slot
    }

    /// Removes the live record with `id`; false when there is none.
    mutating func remove(id: String) -> Bool {
        guard let slot = slotOfID.removeValue(forKey: id) else { return false }
        // The slot was indexed with its record, so `remove` cannot miss it; were it ever missing, the
        // record's removal below still hides it, since searches map each hit to its record and skip gaps.
        try? index.remove(label: slot)
        records[slot] = nil
        return true
    }

    /// Live records and their stored vectors, in insertion order (for sealing). A record whose
    /// vector the graph cannot give back fails the seal (it stays in the log) rather than being dropped.
    func contents() throws(StorageError) -> (records: [StoredRecord], vectors: [Float]) {
        var records: [StoredRecord] = []
        var vectors: [Float] = []
        records.reserveCapacity(self.records.count)
        vectors.reserveCapacity(self.records.count * index.dimension)
        for slot in self.records.keys.sorted() {
            let vector: [Float]
            do {
                vector = try index.vector(for: slot)
            } catch {
                throw StorageError(
                    code: .engine, message: "record \(self.records[slot]!.id) of the growing segment has no vector to seal: \(error)")
            }
            records.append(self.records[slot]!)
            vectors.append(contentsOf: vector)
        }
        return (records, vectors)
    }

    /// The k nearest live slots of `index` (a growing segment's graph), restricted to a tenant if
    /// given. Needs no state lock: the engine index has its own readers-writer lock, so searches
    /// run beside each other and beside writes; the caller maps the slots to records afterwards.
    static func searchSlots(
        _ index: VectorIndex, _ query: UnsafeBufferPointer<Float>, k: Int, ef: Int, tenant: UInt32?, plan: SearchPlan
    ) throws(StorageError) -> [SearchHit] {
        let live = tenant.map { index.count(tenant: $0) } ?? index.liveCount
        let vector = Array(query)
        // Every slot tied with the k-th comes back, so the directory's id order picks among them.
        return Array(
            try TiedCut.hits(k: k, available: live, distance: \.distance) { (asked) throws(StorageError) in
                do {
                    var options = SearchOptions(k: asked, ef: max(ef, asked), tenant: tenant)
                    options.plan = plan
                    return try index.search(vector, options: options).hits
                } catch {
                    throw StorageError(code: .engine, message: "\(error)")
                }
            })
    }
}

/// One search result: the whole record and its distance to the query (lower is closer).
public struct RecordHit: Sendable, Hashable {
    /// The stored record.
    public var record: StoredRecord
    /// Distance to the query under the collection's metric.
    public var distance: Float

    /// Creates a hit.
    public init(record: StoredRecord, distance: Float) {
        self.record = record
        self.distance = distance
    }
}

/// What a search asks for.
public struct RecordSearchOptions: Sendable {
    /// Results wanted.
    public var k: Int
    /// Beam width of graph searches (at least k).
    public var ef: Int
    /// Restrict results to one tenant.
    public var tenant: UInt32?
    /// Force a plan (benchmarks, tests): `.exact` scans every qualifying block, `.graph`
    /// walks the graphs; `.automatic` lets the exact-scan threshold decide.
    public var plan: SearchPlan = .automatic

    /// Creates options; `ef` defaults to max(64, k).
    public init(k: Int = 10, ef: Int? = nil, tenant: UInt32? = nil) {
        self.k = k
        self.ef = ef ?? max(64, k)
        self.tenant = tenant
    }
}
