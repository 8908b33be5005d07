import CHNSW
import PikaEngine

/// Searches of a sealed segment: exact scans of a contiguous block of rows, or a walk of its graph.
extension SealedSegment {
    /// The k nearest live rows to `query`, restricted to `tenant` if given: an exact scan
    /// of the tenant's contiguous block when it is small, a graph search otherwise. Appends
    /// them to `scratch.candidates` tagged with `segmentIndex`.
    func search(
        _ query: UnsafeBufferPointer<Float>, k: Int, ef: Int, tenant: UInt32?, deleted: Bitmap, threshold: Int,
        plan: SearchPlan = .automatic, usedGraph: inout Bool, segmentIndex: Int, into scratch: inout SearchScratch
    ) throws(StorageError) {
        guard header.rows > 0 else { return }
        var range = 0..<header.rows
        if let tenant {
            guard let r = rows(ofTenant: tenant) else { return }
            range = r
        }
        // A segment written without a graph (OpenOptions.sealedGraphs off) is always scanned.
        let exact =
            entry.graph == nil
            || {
                switch plan {
                case .exact: true
                case .graph: false
                case .automatic: range.count <= threshold
                }
            }()
        if exact { return try scan(query, rows: range, k: k, deleted: deleted, segmentIndex: segmentIndex, into: &scratch) }
        usedGraph = true
        let index = try loadGraph()
        let live = tenant.map { index.count(tenant: $0) } ?? index.liveCount
        let liveHere = live - deleted.count(in: range)
        var options = SearchOptions(k: 1, ef: ef, tenant: tenant)
        options.plan = plan == .exact ? .automatic : .graph
        if deleted.count > 0 {
            let snapshot = deleted
            options.predicate = { label, _ in !snapshot.contains(Int(label)) }
        }
        // The walk writes into the scratch's buffers, so a search allocates nothing here once they have grown.
        try scratch.borrowingOutputs { (scratch, labels, distances) throws(StorageError) in
            let kept = try TiedCut.keptCount(
                k: k, available: liveHere,
                search: { (asked) throws(StorageError) in
                    options.k = asked
                    options.ef = max(ef, asked)
                    do {
                        return try index.search(query, options: options, labels: &labels, distances: &distances)
                    } catch {
                        throw StorageError(code: .engine, message: "\(error)", path: path)
                    }
                }, distance: { distances[$0] })
            for i in 0..<kept {
                scratch.candidates.append(SealedCandidate(segment: segmentIndex, row: Int(labels[i]), distance: distances[i]))
            }
        }
    }

    /// Exact scan of a contiguous block of rows (`chnsw_scan_block` over the mapping).
    func scan(_ query: [Float], rows range: Range<Int>, k: Int, deleted: Bitmap) throws(StorageError) -> [(row: Int, distance: Float)] {
        var scratch = SearchScratch()
        try query.withBuffer { (q) throws(StorageError) in
            try scan(q, rows: range, k: k, deleted: deleted, segmentIndex: 0, into: &scratch)
        }
        return scratch.candidates.map { ($0.row, $0.distance) }
    }

    /// Exact scan of a contiguous block of rows over the mapping (the int8 copy when there is
    /// one, `chnsw_scan_block_q8`; else `chnsw_scan_block`), appending the hits to
    /// `scratch.candidates`; reuses the scratch's output buffers.
    func scan(
        _ query: UnsafeBufferPointer<Float>, rows range: Range<Int>, k: Int, deleted: Bitmap, segmentIndex: Int,
        into scratch: inout SearchScratch
    ) throws(StorageError) {
        guard !range.isEmpty, k > 0 else { return }
        let skip = deleted.count > 0 ? deleted.bytes(in: range) : nil
        let metric: chnsw_metric =
            switch header.metric {
            case .l2: CHNSW_METRIC_L2
            case .innerProduct: CHNSW_METRIC_IP
            case .cosine: CHNSW_METRIC_COSINE
            }
        let dim = header.dimension
        let block = vectorBase + range.lowerBound * dim
        try scratch.borrowingOutputs { (scratch, rowsOut, distances) throws(StorageError) in
            // Rows tied with the k-th come back too (the scan breaks ties by row), so the
            // directory's id order picks among them.
            let kept = try TiedCut.keptCount(
                k: k, available: range.count,
                search: { (asked) throws(StorageError) in
                    if rowsOut.count < asked {
                        rowsOut = [UInt64](repeating: 0, count: asked)
                        distances = [Float](repeating: 0, count: asked)
                    }
                    var count: UInt32 = 0
                    let status = withOptionalBytes(skip) { s in
                        if let quantized, metric != CHNSW_METRIC_L2 {
                            // The int8 copy: a quarter of the bytes, same exact answer.
                            let first = range.lowerBound
                            return chnsw_scan_block_q8(
                                block, quantized.codes + first * dim, quantized.scales + first, quantized.bounds + first, range.count,
                                UInt32(dim), dim, metric, query.baseAddress, UInt32(asked), s, &rowsOut, &distances, &count)
                        }
                        return chnsw_scan_block(
                            block, range.count, UInt32(dim), dim, metric, query.baseAddress, UInt32(asked), s, &rowsOut, &distances,
                            &count)
                    }
                    guard status == CHNSW_OK else {
                        throw StorageError(code: .engine, message: String(cString: chnsw_status_message(status)), path: path)
                    }
                    return Int(count)
                }, distance: { distances[$0] })
            for i in 0..<kept {
                scratch.candidates.append(
                    SealedCandidate(segment: segmentIndex, row: range.lowerBound + Int(rowsOut[i]), distance: distances[i]))
            }
        }
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafePointer<UInt8>?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBufferPointer { body($0.baseAddress) }
}
