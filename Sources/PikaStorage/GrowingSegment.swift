import PikaEngine

/// The mutable segment: records written since the last seal, indexed in memory by an
/// HNSW graph whose labels are slot numbers. Its durable copy is the write-ahead log.
/// A value owned by `StorageState`, mutated only under the state lock.
struct GrowingSegment: Sendable {
    let index: VectorIndex
    var records: [UInt64: MemoryRecord] = [:]
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

    mutating func insert(_ record: MemoryRecord, vector: [Float]) throws(StorageError) {
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
        try? index.remove(label: slot)
        records[slot] = nil
        return true
    }

    /// Live records and their stored vectors, in insertion order (for sealing).
    func contents() -> (records: [MemoryRecord], vectors: [Float]) {
        var records: [MemoryRecord] = []
        var vectors: [Float] = []
        records.reserveCapacity(self.records.count)
        vectors.reserveCapacity(self.records.count * index.dimension)
        for slot in self.records.keys.sorted() {
            guard let vector = try? index.vector(for: slot) else { continue }
            records.append(self.records[slot]!)
            vectors.append(contentsOf: vector)
        }
        return (records, vectors)
    }

    /// The k nearest live records, restricted to a tenant if given.
    func search(_ query: [Float], k: Int, ef: Int, tenant: UInt32?, plan: SearchPlan) throws(StorageError) -> [RecordHit] {
        let live = tenant.map { index.count(tenant: $0) } ?? index.info.liveCount
        let kk = min(k, live)
        guard kk > 0 else { return [] }
        do {
            var options = SearchOptions(k: kk, ef: max(ef, kk), tenant: tenant)
            options.plan = plan
            let result = try index.search(query, options: options)
            return result.hits.compactMap { hit in records[hit.label].map { RecordHit(record: $0, distance: hit.distance) } }
        } catch {
            throw StorageError(code: .engine, message: "\(error)")
        }
    }
}

/// One search result: the whole record and its distance to the query (lower is closer).
public struct RecordHit: Sendable, Hashable {
    /// The stored record.
    public var record: MemoryRecord
    /// Distance to the query under the collection's metric.
    public var distance: Float

    /// Creates a hit.
    public init(record: MemoryRecord, distance: Float) {
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
