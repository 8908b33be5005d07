import PikaEngine
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A durable collection of memory records and their vectors in one directory.
///
/// Files (see docs/storage.md): `MANIFEST` names everything else; `wal-NNNNNN.log` is the
/// write-ahead log of the growing segment; `seg-NNNNNN.pseg` are sealed segments (vectors
/// ordered by tenant, payloads, id index), each with an HNSW graph `seg-NNNNNN-gN.chnsw`
/// and, once rows are deleted, a tombstone file `seg-NNNNNN-dN.del`.
///
/// Concurrency: all methods are synchronous and thread-safe. Any number of searches and
/// lookups run at once; writes are serialised by a writer lock; seal, compaction, rebuild
/// and snapshots are serialised by a maintenance lock and never block searches. Writes
/// block during `seal` only. The calls do blocking file I/O: from async code, call them
/// from a dedicated thread or executor, not from the cooperative pool.
public final class DataDirectory: Sendable {
    /// The directory.
    public let path: String
    /// The collection's fixed parameters.
    public let configuration: CollectionConfiguration
    /// What opening found: replayed records, a truncated torn tail, damaged files set aside.
    public let recovery: RecoveryReport
    let options: OpenOptions

    struct WriterState: Sendable {
        var wal: WriteAheadLog?
        var nextLSN: UInt64
    }

    let writer: Mutex<WriterState>
    let state: Mutex<StorageState>
    let maintenance = Mutex<Void>(())
    let commit: GroupCommit?
    /// Every append to and fsync of the log after open goes through it.
    let walGuard: WALGuard
    let damaged: Mutex<[Manifest.Segment]>
    private let lockDescriptor: Int32

    private init(
        path: String, configuration: CollectionConfiguration, recovery: RecoveryReport, options: OpenOptions,
        writer: WriterState, state: StorageState, damaged: [Manifest.Segment], lockDescriptor: Int32
    ) {
        self.path = path
        self.configuration = configuration
        self.recovery = recovery
        self.options = options
        self.writer = Mutex(writer)
        self.state = Mutex(state)
        self.damaged = Mutex(damaged)
        self.lockDescriptor = lockDescriptor
        let walGuard = WALGuard(faults: options.faults)
        self.walGuard = walGuard
        if case .groupCommit(let ms) = options.durability, let wal = writer.wal {
            commit = GroupCommit(maxWaitNanoseconds: UInt64(max(ms, 0)) * 1_000_000, wal: wal, appended: writer.nextLSN - 1, log: walGuard)
        } else {
            commit = nil
        }
    }

    deinit {
        if lockDescriptor >= 0 { close(lockDescriptor) }
    }

    // MARK: Creating and opening

    /// Creates a new, empty data directory at `path` (created if missing; it must be empty).
    /// - Throws: `notEmpty` if the directory holds anything, `io` on a file error.
    public static func create(
        at path: String, configuration: CollectionConfiguration, options: OpenOptions = OpenOptions()
    ) throws(StorageError) -> DataDirectory {
        guard (1...65_536).contains(configuration.dimension) else {
            throw StorageError(code: .invalidArgument, message: "dimension \(configuration.dimension) out of range")
        }
        guard (2...256).contains(configuration.m), configuration.efConstruction >= 1 else {
            throw StorageError(code: .invalidArgument, message: "m must be 2...256 and efConstruction at least 1")
        }
        try POSIX.mkdir(path)
        let existing = try POSIX.list(path).filter { $0 != "LOCK" }
        guard existing.isEmpty else {
            throw StorageError(code: .notEmpty, message: "directory is not empty (\(existing.count) entries)", path: path)
        }
        let walName = Names.wal(1)
        _ = try WriteAheadLog.create(directory: path, name: walName, dimension: configuration.dimension, firstLSN: 1)
        let manifest = Manifest(configuration: configuration, wal: walName)
        try manifest.write(directory: path)
        return try open(at: path, options: options)
    }

    /// Opens an existing data directory: maps its sealed segments (checking headers and
    /// metadata checksums, reading no vector), then replays the write-ahead log from the
    /// last checkpoint. A torn last record is truncated; a damaged segment or log is set
    /// aside and reported in `recovery` while the rest keeps serving.
    /// - Throws: `notFound` without a MANIFEST, `corruptFile`/`unsupportedVersion` for a
    ///   damaged or newer manifest, `locked` if another process has it open for writing.
    public static func open(at path: String, options: OpenOptions = OpenOptions()) throws(StorageError) -> DataDirectory {
        var lockFD: Int32 = -1
        if !options.readOnly {
            lockFD = try POSIX.open(path + "/LOCK", O_RDWR | O_CREAT)
            if !lockExclusively(lockFD) {
                close(lockFD)
                throw StorageError(code: .locked, message: "another process has this data directory open", path: path)
            }
        }
        do throws(StorageError) {
            return try openLocked(at: path, options: options, lockFD: lockFD)
        } catch {
            if lockFD >= 0 { close(lockFD) }
            throw error
        }
    }

    /// Takes the directory's exclusive lock, retrying for up to half a second while another holds it.
    ///
    /// A child this process spawns (posix_spawn, Foundation's `Process`) holds a copy of every open
    /// descriptor from its clone until its exec closes the close-on-exec ones, and a `flock` lives as long
    /// as any copy: a store closed in that window stays locked for a moment. Beside a thread spawning
    /// `/bin/true`, half of 20,000 close-then-relock cycles failed at once. A real second writer holds the
    /// lock for longer than the retries and is still refused.
    private static func lockExclusively(_ fd: Int32) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(500)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, ContinuousClock.now < deadline else { return false }
            usleep(2_000)
        }
        return true
    }

    private static func openLocked(at path: String, options: OpenOptions, lockFD: Int32) throws(StorageError) -> DataDirectory {
        var manifest = try Manifest.read(directory: path)
        let configuration = manifest.configuration
        var report = RecoveryReport()
        var segments: [SealedSegment] = []
        var deleted: [UInt64: Bitmap] = [:]
        var damaged: [Manifest.Segment] = []
        for entry in manifest.segments {
            do throws(StorageError) {
                let segment = try SealedSegment(directory: path, entry: entry)
                guard segment.header.dimension == configuration.dimension, segment.header.metric == configuration.metric else {
                    throw StorageError.corrupt(segment.path, "dimension or metric differs from the manifest's")
                }
                if let name = entry.tombstones {
                    deleted[entry.id] = try TombstoneFile.read(directory: path, name: name, segment: entry.id, rowLimit: entry.rows)
                }
                segments.append(segment)
            } catch {
                report.problems.append(error)
                damaged.append(entry)
            }
        }
        var state = StorageState(
            manifest: manifest, segments: segments, deleted: deleted, growing: try GrowingSegment(configuration: configuration))

        // Replay the write-ahead log.
        let walPath = path + "/" + manifest.wal
        var nextLSN = manifest.checkpointLSN + 1
        var wal: WriteAheadLog?
        var scan: WALFormat.Scan?
        var walDamage: StorageError?
        if POSIX.exists(walPath) {
            do throws(StorageError) {
                let bytes = try POSIX.readAll(walPath)
                scan = try bytes.withRawBytes { (raw) throws(StorageError) in try WALFormat.scan(raw, path: walPath) }
            } catch {
                walDamage = error
            }
        } else {
            walDamage = StorageError.corrupt(walPath, "the write-ahead log named by the manifest is missing")
        }
        if let scan {
            if scan.dimension != configuration.dimension {
                walDamage = .corrupt(walPath, "dimension \(scan.dimension) differs from the manifest's \(configuration.dimension)")
            } else {
                for (lsn, entry) in scan.entries where lsn > manifest.checkpointLSN {
                    do throws(StorageError) {
                        try state.apply(entry)
                        report.replayedRecords += 1
                        if let note = entry.note { report.notes.append(LoggedNote(lsn: lsn, note: note)) }
                    } catch {
                        report.problems.append(
                            StorageError(code: error.code, message: "replaying LSN \(lsn): \(error.message)", path: walPath))
                    }
                    nextLSN = lsn + 1
                }
                if scan.tornBytes > 0 {
                    report.truncatedBytes = scan.tornBytes
                    report.problems.append(
                        StorageError(
                            code: .corruptFile,
                            message:
                                "torn last record: \(scan.tornBytes) bytes at offset \(scan.validSize) \(options.readOnly ? "ignored" : "truncated")",
                            path: walPath))
                }
                if let damage = scan.damage { walDamage = damage }
            }
        }
        if let walDamage { report.problems.append(walDamage) }
        if !options.readOnly {
            if walDamage == nil, scan != nil {
                wal = try WriteAheadLog.openForAppend(directory: path, name: manifest.wal, validSize: scan!.validSize, truncate: true)
            } else {
                // Set the damaged log aside and start a fresh one holding what replayed.
                if POSIX.exists(walPath) { try POSIX.rename(walPath, walPath + ".damaged") }
                let name = Names.wal(manifest.generation + 1)
                let fresh = try WriteAheadLog.create(
                    directory: path, name: name, dimension: configuration.dimension, firstLSN: manifest.checkpointLSN + 1)
                var lsn = manifest.checkpointLSN
                for (entryLSN, entry) in scan?.entries ?? [] where entryLSN > manifest.checkpointLSN {
                    lsn += 1
                    try fresh.append(WALFormat.encode(lsn: lsn, entry))
                }
                try fresh.sync()
                nextLSN = lsn + 1
                manifest.wal = name
                manifest.generation += 1
                try manifest.write(directory: path)
                state.manifest = manifest
                wal = fresh
            }
            removeLeftovers(in: path, manifest: manifest)
        }
        return DataDirectory(
            path: path, configuration: configuration, recovery: report, options: options,
            writer: WriterState(wal: wal, nextLSN: nextLSN), state: state, damaged: damaged, lockDescriptor: lockFD)
    }

    /// Deletes files a crash left behind: temporaries and segment, graph, tombstone and log
    /// files the manifest does not name. Damaged files set aside (`.damaged`) are kept.
    static func removeLeftovers(in path: String, manifest: Manifest) {
        var keep: Set<String> = [Manifest.fileName, manifest.wal, "LOCK"]
        for s in manifest.segments {
            keep.insert(s.file)
            if let g = s.graph { keep.insert(g) }
            if let t = s.tombstones { keep.insert(t) }
        }
        for name in (try? POSIX.list(path)) ?? [] where !keep.contains(name) && !name.hasSuffix(".damaged") {
            if name.hasSuffix(".tmp") || name.hasPrefix("seg-") || name.hasPrefix("wal-") { POSIX.unlink(path + "/" + name) }
        }
    }

    // MARK: Reading

    /// The live record with `id`, or nil.
    public func record(id: String) -> StoredRecord? {
        state.withLock { $0.record(id: id) }
    }

    /// Live records (all segments, growing included).
    public var count: Int {
        state.withLock { s in
            s.growing.count + s.segments.reduce(0) { $0 + $1.rows - (s.deleted[$1.id]?.count ?? 0) }
        }
    }

    /// The k nearest live records to `query`, restricted to `options.tenant` if given,
    /// best first. Small tenants are scanned exactly from the memory-mapped block; larger
    /// searches walk each segment's HNSW graph (loaded on first use).
    /// - Throws: `dimensionMismatch`, `invalidVector`, `invalidArgument` (k < 1), and
    ///   `corruptFile` naming the file when a stored record fails its checksum.
    public func search(_ query: [Float], options: RecordSearchOptions = RecordSearchOptions()) throws(StorageError) -> [RecordHit] {
        try searchReport(query, options: options).hits
    }

    /// `search`, also telling whether any graph was walked (false: exact scans only).
    public func searchReport(
        _ query: [Float], options: RecordSearchOptions = RecordSearchOptions()
    ) throws(StorageError) -> RecordSearchResult {
        // Ranked before any record is decoded: only the k returned are (searchLazily).
        let found = try searchLazilyReport(query, options: options)
        var hits: [RecordHit] = []
        hits.reserveCapacity(found.hits.count)
        for hit in found.hits { hits.append(RecordHit(record: try hit.record(), distance: hit.distance)) }
        return RecordSearchResult(hits: hits, usedGraph: found.usedGraph)
    }

    /// Maps every page of the sealed segments into this process now, so the first searches after
    /// open do not pay a minor page fault for each page of vectors they touch.
    ///
    /// Opening maps files without reading them (that keeps open fast); this is the other half,
    /// for a process about to serve. It takes time in proportion to the data (0.25–0.7 s for
    /// 1M × 384 with its int8 copy on this 2-core machine: `warm_ms` of `pika index search`), so
    /// run it off the request path; searches may run meanwhile. Best effort: on kernels before
    /// 5.14 it does nothing.
    public func prefault() {
        for segment in state.withLock({ $0.segments }) { segment.prefault() }
    }

    /// Loads every sealed segment's graph now rather than on the first search that needs it.
    public func loadGraphs() throws(StorageError) {
        for segment in state.withLock({ $0.segments }) where segment.entry.graph != nil { _ = try segment.loadGraph() }
    }

    func validate(_ vector: [Float]) throws(StorageError) {
        try vector.withBuffer { (v) throws(StorageError) in try validate(v) }
    }

    /// Checks the dimension, that every value is finite and, for cosine, that the vector is not zero.
    func validate(_ vector: UnsafeBufferPointer<Float>) throws(StorageError) {
        guard vector.count == configuration.dimension, let base = vector.baseAddress else {
            throw StorageError(
                code: .dimensionMismatch, message: "vector has dimension \(vector.count), the collection \(configuration.dimension)")
        }
        // x - x is 0 for a finite x and NaN for NaN or ±infinity, so one NaN test of the sum
        // replaces a branch per value and the loop runs eight lanes at a time. The norm only
        // decides zero or not, which no summation order changes.
        var poison = SIMD8<Float>()
        var norm = SIMD8<Float>()
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= vector.count {
            let x = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            poison += x - x
            norm += x * x
            i += 8
        }
        var tailPoison: Float = 0
        var tailNorm: Float = 0
        while i < vector.count {
            tailPoison += vector[i] - vector[i]
            tailNorm += vector[i] * vector[i]
            i += 1
        }
        guard !(poison.sum() + tailPoison).isNaN else {
            throw StorageError(code: .invalidVector, message: "vector holds NaN or infinity")
        }
        if configuration.metric == .cosine && norm.sum() + tailNorm == 0 {
            throw StorageError(code: .invalidVector, message: "zero vector in a cosine collection")
        }
    }
}

/// A search's hits and how they were found.
public struct RecordSearchResult: Sendable {
    /// Best first.
    public var hits: [RecordHit]
    /// Whether a sealed segment's graph was walked (false: exact block scans only).
    public var usedGraph: Bool
}
