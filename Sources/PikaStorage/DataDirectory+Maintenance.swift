import PikaEngine

/// Reports how far a long operation got: (done, total).
public typealias ProgressHandler = @Sendable (_ done: Int, _ total: Int) -> Void

extension DataDirectory {
    // MARK: Seal

    /// Turns the growing segment into a sealed segment (tenant-ordered, with its graph),
    /// persists pending tombstones, starts a new write-ahead log and switches the manifest
    /// atomically. Writes wait while it runs; searches do not. A no-op when nothing changed.
    public func seal(threads: Int? = nil) throws(StorageError) {
        try maintenance.withLock { (_) throws(StorageError) in
            try writer.withLock { (w) throws(StorageError) in
                guard let wal = w.wal else { throw StorageError(code: .readOnly, message: "opened read-only", path: path) }
                let (contents, dirty, deleted, manifestNow) = try state.withLock { (s) throws(StorageError) in
                    (try s.growing.contents(), s.dirty, s.deleted, s.manifest)
                }
                if contents.records.isEmpty && dirty.isEmpty { return }
                try walGuard.sync(wal)
                commit?.markDurable(w.nextLSN - 1)
                var manifest = manifestNow
                manifest.generation += 1
                var added: SealedSegment?
                if !contents.records.isEmpty {
                    let id = manifest.nextSegmentID
                    manifest.nextSegmentID += 1
                    let entry = try contents.vectors.withBuffer { (v) throws(StorageError) in
                        try buildSegment(
                            id: id, generation: manifest.generation, records: contents.records, vectors: v,
                            threads: threads ?? options.buildThreads, progress: nil)
                    }
                    added = try SealedSegment(directory: path, entry: entry)
                    manifest.segments.append(entry)
                }
                var obsolete: [String] = []
                for i in manifest.segments.indices where dirty.contains(manifest.segments[i].id) {
                    let id = manifest.segments[i].id
                    let name = Names.tombstones(id, generation: manifest.generation)
                    try POSIX.writeAtomically(
                        TombstoneFile.encode(segment: id, rows: deleted[id] ?? Bitmap()), to: path + "/" + name, directory: path)
                    if let old = manifest.segments[i].tombstones { obsolete.append(old) }
                    manifest.segments[i].tombstones = name
                }
                let walName = Names.wal(manifest.generation)
                let newWAL = try WriteAheadLog.create(
                    directory: path, name: walName, dimension: configuration.dimension, firstLSN: w.nextLSN)
                obsolete.append(manifest.wal)
                manifest.checkpointLSN = w.nextLSN - 1
                manifest.wal = walName
                try manifest.write(directory: path)
                let fresh = try GrowingSegment(configuration: configuration)
                state.withLock { s in
                    s.manifest = manifest
                    if let added { s.segments.append(added) }
                    s.growing = fresh
                    s.dirty = []
                }
                w.wal = newWAL
                commit?.appended(upTo: w.nextLSN - 1, wal: newWAL)
                for name in obsolete { POSIX.unlink(path + "/" + name) }
            }
        }
    }

    /// Writes a segment file (with its int8 scan copy unless ``OpenOptions/scanCopies`` is off) and, unless
    /// ``OpenOptions/sealedGraphs`` is off, its graph; returns the manifest entry.
    func buildSegment(
        id: UInt64, generation: UInt64, records: [StoredRecord], vectors: UnsafeBufferPointer<Float>, threads: Int,
        progress: ProgressHandler?
    ) throws(StorageError) -> Manifest.Segment {
        let file = Names.segment(id)
        let written = try SegmentWriter.write(
            records: records, vectors: vectors, dimension: configuration.dimension, metric: configuration.metric,
            scanCopy: options.scanCopies, to: path + "/" + file)
        guard options.sealedGraphs else { return Manifest.Segment(id: id, file: file, graph: nil, tombstones: nil, rows: records.count) }
        var rowOf = [UInt64](repeating: 0, count: records.count)
        for (row, input) in written.order.enumerated() { rowOf[input] = UInt64(row) }
        let graph = Names.graph(id, generation: generation)
        try buildGraph(
            rows: records.count, labels: { rowOf[$0] }, tenant: { records[$0].tenant },
            vector: { vectors[($0 * configuration.dimension)..<(($0 + 1) * configuration.dimension)] },
            m: configuration.m, efConstruction: configuration.efConstruction, threads: threads, progress: progress,
            to: path + "/" + graph)
        return Manifest.Segment(id: id, file: file, graph: graph, tombstones: nil, rows: records.count)
    }

    /// Builds an HNSW graph over `rows` vectors (inserted in chunks, for progress) and saves it.
    func buildGraph(
        rows: Int, labels: (Int) -> UInt64, tenant: (Int) -> UInt32, vector: (Int) -> Slice<UnsafeBufferPointer<Float>>,
        m: Int, efConstruction: Int, threads: Int, progress: ProgressHandler?, to graphPath: String
    ) throws(StorageError) {
        var config = configuration.indexConfiguration
        config.m = m
        config.efConstruction = efConstruction
        do throws(EngineError) {
            let index = try VectorIndex(configuration: config)
            let chunk = 20_000
            var done = 0
            while done < rows {
                let range = done..<min(done + chunk, rows)
                var flat: [Float] = []
                flat.reserveCapacity(range.count * configuration.dimension)
                for i in range { flat.append(contentsOf: vector(i)) }
                try index.add(labels: range.map(labels), tenants: range.map(tenant), vectors: flat, threads: max(threads, 1))
                done = range.upperBound
                progress?(done, rows)
            }
            try index.save(to: graphPath)
        } catch {
            throw StorageError(code: error.code == .io ? .io : .engine, message: "\(error)", path: graphPath)
        }
    }

    // MARK: Bulk load

    /// Writes `records` (ids not yet live) with their vectors straight into a new sealed
    /// segment, bypassing the log: the fast path of `pika index build` and imports.
    /// `vectors` is row-major, `records.count × dimension`.
    public func bulkLoad(
        _ records: [StoredRecord], vectors: [Float], threads: Int = 1, progress: ProgressHandler? = nil
    ) throws(StorageError) {
        guard vectors.count == records.count * configuration.dimension else {
            throw StorageError(
                code: .dimensionMismatch, message: "\(vectors.count) floats do not make \(records.count) rows of \(configuration.dimension)"
            )
        }
        var seen = Set<String>()
        for (i, r) in records.enumerated() {
            guard seen.insert(r.id).inserted, record(id: r.id) == nil else {
                throw StorageError(code: .invalidArgument, message: "record \(i): id \(r.id) is duplicated or already stored")
            }
            do {
                try validate(Array(vectors[(i * configuration.dimension)..<((i + 1) * configuration.dimension)]))
            } catch {
                throw StorageError(code: error.code, message: "row \(i): \(error.message)")
            }
        }
        guard !records.isEmpty else { return }
        try maintenance.withLock { (_) throws(StorageError) in
            guard writer.withLock({ $0.wal != nil }) else { throw StorageError(code: .readOnly, message: "opened read-only", path: path) }
            var manifest = state.withLock { $0.manifest }
            manifest.generation += 1
            let id = manifest.nextSegmentID
            manifest.nextSegmentID += 1
            let entry = try vectors.withBuffer { (v) throws(StorageError) in
                try buildSegment(
                    id: id, generation: manifest.generation, records: records, vectors: v, threads: threads, progress: progress)
            }
            let segment = try SealedSegment(directory: path, entry: entry)
            manifest.segments.append(entry)
            // The manifest may have gained tombstone names meanwhile only under this lock: safe to write.
            try state.withLock { (s) throws(StorageError) in
                var current = s.manifest
                current.generation = manifest.generation
                current.nextSegmentID = manifest.nextSegmentID
                current.segments.append(entry)
                try current.write(directory: path)
                s.manifest = current
                s.segments.append(segment)
            }
        }
    }

    // MARK: Compaction

    /// Merges every healthy sealed segment into one, dropping deleted rows and clustering
    /// rows by tenant, with a new graph. Runs beside searches and writes; deletes that
    /// arrive meanwhile are carried over to the new segment at the switch, which is one
    /// atomic manifest write. Returns the rows dropped, or nil when there was nothing to do.
    @discardableResult
    public func compact(threads: Int? = nil, progress: ProgressHandler? = nil) throws(StorageError) -> Int? {
        try maintenance.withLock { (_) throws(StorageError) -> Int? in
            guard writer.withLock({ $0.wal != nil }) else { throw StorageError(code: .readOnly, message: "opened read-only", path: path) }
            let (inputs, deletedAtStart, nextID, generation) = state.withLock { s in
                (s.segments, s.deleted, s.manifest.nextSegmentID, s.manifest.generation + 1)
            }
            let dropped = inputs.reduce(0) { $0 + (deletedAtStart[$1.id]?.count ?? 0) }
            // One segment without deletes is rewritten only to gain or lose the int8 scan copy the
            // options ask for (the setting changed since it was sealed).
            let reshaped = inputs.contains { !$0.hasScanCopyShape(of: options, metric: configuration.metric) }
            guard inputs.count > 1 || dropped > 0 || reshaped else { return nil }
            var records: [StoredRecord] = []
            var vectors: [Float] = []
            for segment in inputs {
                let bitmap = deletedAtStart[segment.id] ?? Bitmap()
                for row in 0..<segment.rows where !bitmap.contains(row) {
                    records.append(try segment.record(at: row))
                    vectors.append(contentsOf: segment.vector(at: row))
                }
            }
            var entry = try vectors.withBuffer { (v) throws(StorageError) in
                try buildSegment(
                    id: nextID, generation: generation, records: records, vectors: v, threads: threads ?? options.buildThreads,
                    progress: progress)
            }
            let merged = try SealedSegment(directory: path, entry: entry)
            let inputIDs = Set(inputs.map(\.id))
            var obsolete: [String] = []
            try writer.withLock { (_) throws(StorageError) in
                try state.withLock { (s) throws(StorageError) in
                    // Deletes since the start, carried over to the merged segment.
                    var carried = Bitmap()
                    for segment in inputs {
                        let before = deletedAtStart[segment.id] ?? Bitmap()
                        for row in (s.deleted[segment.id] ?? Bitmap()).members where !before.contains(row) {
                            let id = try segment.record(at: row).id
                            if let newRow = merged.liveRow(forID: id, deleted: carried) { carried.insert(newRow) }
                        }
                    }
                    var manifest = s.manifest
                    manifest.generation = generation
                    manifest.nextSegmentID = nextID + 1
                    if carried.count > 0 {
                        let name = Names.tombstones(nextID, generation: generation)
                        try POSIX.writeAtomically(
                            TombstoneFile.encode(segment: nextID, rows: carried), to: path + "/" + name, directory: path)
                        entry.tombstones = name
                    }
                    for old in manifest.segments where inputIDs.contains(old.id) {
                        obsolete += [old.file] + [old.graph, old.tombstones].compactMap { $0 }
                    }
                    manifest.segments = [entry] + manifest.segments.filter { !inputIDs.contains($0.id) }
                    try manifest.write(directory: path)
                    s.manifest = manifest
                    s.segments = [merged] + s.segments.filter { !inputIDs.contains($0.id) }
                    for id in inputIDs {
                        s.deleted[id] = nil
                        s.dirty.remove(id)
                    }
                    if carried.count > 0 { s.deleted[nextID] = carried }
                }
            }
            for name in obsolete { POSIX.unlink(path + "/" + name) }
            return dropped
        }
    }

    // MARK: Rebuild

    /// Rebuilds every sealed segment's graph from its stored vectors with new parameters,
    /// then switches to the new graphs with one atomic manifest write. Searches and writes
    /// continue meanwhile (searches use the old graphs until the switch).
    public func rebuild(m: Int? = nil, efConstruction: Int? = nil, threads: Int = 1, progress: ProgressHandler? = nil) throws(StorageError)
    {
        let m = m ?? configuration.m
        let ef = efConstruction ?? configuration.efConstruction
        guard (2...256).contains(m), ef >= 1 else {
            throw StorageError(code: .invalidArgument, message: "m must be 2...256 and efConstruction at least 1")
        }
        try maintenance.withLock { (_) throws(StorageError) in
            guard writer.withLock({ $0.wal != nil }) else { throw StorageError(code: .readOnly, message: "opened read-only", path: path) }
            let (segments, generation) = state.withLock { ($0.segments, $0.manifest.generation + 1) }
            let total = segments.reduce(0) { $0 + $1.rows }
            var done = 0
            var graphs: [UInt64: String] = [:]
            for segment in segments {
                let name = Names.graph(segment.id, generation: generation)
                let base = done
                try segment.withVectors { (v) throws(StorageError) in
                    try buildGraph(
                        rows: segment.rows, labels: { UInt64($0) }, tenant: { segment.tenant(ofRow: $0) },
                        vector: { v[($0 * configuration.dimension)..<(($0 + 1) * configuration.dimension)] },
                        m: m, efConstruction: ef, threads: threads, progress: { d, _ in progress?(base + d, total) },
                        to: path + "/" + name)
                }
                done += segment.rows
                graphs[segment.id] = name
            }
            var obsolete: [String] = []
            try state.withLock { (s) throws(StorageError) in
                var manifest = s.manifest
                manifest.generation = generation
                manifest.configuration.m = m
                manifest.configuration.efConstruction = ef
                for i in manifest.segments.indices {
                    guard let name = graphs[manifest.segments[i].id] else { continue }
                    if let old = manifest.segments[i].graph { obsolete.append(old) }
                    manifest.segments[i].graph = name
                }
                var reopened: [SealedSegment] = []
                for segment in s.segments {
                    guard let entry = manifest.segments.first(where: { $0.id == segment.id }) else { continue }
                    reopened.append(try SealedSegment(directory: path, entry: entry))
                }
                try manifest.write(directory: path)
                s.manifest = manifest
                s.segments = reopened
            }
            for name in obsolete { POSIX.unlink(path + "/" + name) }
        }
    }
}

extension SealedSegment {
    /// Calls `body` with the segment's vectors (row-major, mapped, read-only).
    func withVectors<R>(_ body: (UnsafeBufferPointer<Float>) throws(StorageError) -> R) throws(StorageError) -> R {
        try body(vectorBuffer)
    }
}
