/// One hit of ``DataDirectory/searchLazily(_:options:)``: the record's label and distance, and the
/// record itself only when asked for.
///
/// A hybrid search asks for a hundred nearest memories and returns ten: decoding the other ninety
/// (a dozen strings each) was a large part of its cost. The label is read from the record without
/// decoding it (after the record matched its checksum); ``record()`` decodes it. A hit keeps its
/// sealed segment mapped, so it stays readable after a compaction retires the segment; like any
/// search result it shows the record as it was when the search ran.
public struct LazyRecordHit: Sendable {
    /// The record's label (``StoredRecord/label``).
    public let label: UInt64
    /// Distance to the query under the collection's metric (lower is closer).
    public let distance: Float
    let source: Source

    enum Source: Sendable {
        /// A growing-segment record (already in memory).
        case loaded(StoredRecord)
        /// Row `row` of a sealed segment.
        case sealed(SealedSegment, row: Int)
    }

    /// The hit's record, decoded and checked against its checksum on each call.
    /// - Throws: `corruptFile` naming the segment file when the record fails its checksum.
    public func record() throws(StorageError) -> StoredRecord {
        switch source {
        case .loaded(let record): return record
        case .sealed(let segment, let row): return try segment.record(at: row)
        }
    }
}

extension DataDirectory {
    /// The k nearest live records to `query` as ``search(_:options:)`` finds them (same records,
    /// order and distances, ties by id), each decoded only when its ``LazyRecordHit/record()`` is read.
    /// - Throws: as ``search(_:options:)``.
    public func searchLazily(_ query: [Float], options: RecordSearchOptions = RecordSearchOptions()) throws(StorageError) -> [LazyRecordHit]
    {
        try searchLazilyReport(query, options: options).hits
    }

    /// ``searchLazily(_:options:)``, also telling whether any graph was walked.
    func searchLazilyReport(_ query: [Float], options: RecordSearchOptions) throws(StorageError) -> (hits: [LazyRecordHit], usedGraph: Bool)
    {
        var scratch = SearchScratch()
        let gathered = try query.withBuffer { (q) throws(StorageError) in try gather(q, options: options, scratch: &scratch) }
        // Ranked as (distance, index) pairs, which move without reference counting: sorting the
        // hits themselves copied a growing-segment record (a dozen strings) at every move.
        let growing = gathered.growing
        let candidates = scratch.candidates
        func source(_ index: Int) -> LazyRecordHit.Source {
            if index < growing.count { return .loaded(growing[index].record) }
            let c = candidates[index - growing.count]
            return .sealed(gathered.segments[c.segment], row: c.row)
        }
        var order: [(distance: Float, index: Int)] = []
        order.reserveCapacity(growing.count + candidates.count)
        for (i, hit) in growing.enumerated() { order.append((hit.distance, i)) }
        for (j, c) in candidates.enumerated() { order.append((c.distance, growing.count + j)) }
        order.sort { $0.distance != $1.distance ? $0.distance < $1.distance : $0.index < $1.index }
        // Equal distances are ordered by id, as every search orders them: only those runs read ids.
        let kept = min(options.k, order.count)
        var start = 0
        while start < kept {
            var end = start + 1
            while end < order.count, order[end].distance == order[start].distance { end += 1 }
            if end - start > 1 {
                var run: [(id: String, entry: (distance: Float, index: Int))] = []
                for entry in order[start..<end] { run.append((try Self.id(of: source(entry.index)), entry)) }
                run.sort { $0.id < $1.id }
                for (offset, item) in run.enumerated() { order[start + offset] = item.entry }
            }
            start = end
        }
        var hits: [LazyRecordHit] = []
        hits.reserveCapacity(kept)
        for entry in order.prefix(kept) {
            let source = source(entry.index)
            hits.append(LazyRecordHit(label: try Self.label(of: source), distance: entry.distance, source: source))
        }
        return (hits, gathered.usedGraph)
    }

    private static func id(of source: LazyRecordHit.Source) throws(StorageError) -> String {
        switch source {
        case .loaded(let record): return record.id
        case .sealed(let segment, let row): return try segment.recordID(at: row)
        }
    }

    private static func label(of source: LazyRecordHit.Source) throws(StorageError) -> UInt64 {
        switch source {
        case .loaded(let record): return record.label
        case .sealed(let segment, let row): return try segment.keys(at: row).label
        }
    }
}
