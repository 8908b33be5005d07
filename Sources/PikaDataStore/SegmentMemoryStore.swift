import Dispatch
import Foundation
import Logging
import PikaMemory
import PikaRelational
import PikaStorage
import Synchronization

/// ``MemoryRecordStore`` on one data directory: each memory's payload and vector in the segment
/// store (`PikaStorage`, directory `memories/`), its history and the users' scope numbers in the
/// relational database beside it (`pika.sqlite`).
///
/// A write logs every change together with its history note in one write-ahead log record, then
/// projects the notes into the `history` table; notes a crash kept from the table are projected
/// again when the store opens (``open(directory:database:logger:)``), so a memory and its
/// history commit together. The store searches vectors itself (``VectorSearchingStore``):
/// a user's memories are one contiguous block in each sealed segment, scanned exactly.
///
/// Writes and searches are thread-safe. Blocking file work runs on a private queue, never on the
/// cooperative pool; a seal (``seal()``) waits for writes in flight and is then alone.
public final class SegmentMemoryStore: VectorSearchingStore {
    /// The segment store.
    public let directory: DataDirectory
    let database: SQLiteDatabase
    let labels: LabelAllocator
    let gate = WriteGate()
    let logger: Logger
    /// Blocking segment-store writes: concurrent, so that writers share the group commit's fsync.
    let queue = DispatchQueue(label: "pika.segments.write", attributes: .concurrent)
    /// Set when a change committed but its history could not be projected: writes are refused
    /// until the store is reopened (which replays the notes), so no seal retires an unprojected note.
    let projectionFailure = Mutex<String?>(nil)
    /// Scope numbers already read; a number never changes once assigned.
    let scopeNumbers = Mutex<[MemoryScope: UInt32]>([:])
    /// When the first write since the last seal committed (``maintain(_:now:)`` seals by age).
    let oldestUnsealedWrite = Mutex<ContinuousClock.Instant?>(nil)
    /// Set by a user's deletion: the next maintenance pass seals and compacts to erase the text.
    let erasurePending = Mutex(false)

    init(directory: DataDirectory, database: SQLiteDatabase, labels: LabelAllocator, logger: Logger) {
        self.directory = directory
        self.database = database
        self.labels = labels
        self.logger = logger
    }

    /// The files set aside or repaired when the store opened (a damaged segment, a torn log tail),
    /// each naming its file: the rest of the store serves without them.
    public var problems: [String] {
        directory.recovery.problems.map(\.description)
    }

    /// Below this many free bytes on the store's file system, ``spaceProblem`` reports it: a write
    /// needs room for its log record, its history row and the job that carries it.
    public static let minimumFreeBytes = 1 << 20

    /// Says that the store's file system is (nearly) full, nil while it has room. Writes then fail
    /// with 503 before anything is logged, so the store itself stays healthy and only this tells why.
    public var spaceProblem: String? {
        var info = statvfs()
        guard statvfs(directory.path, &info) == 0 else { return nil }
        let free = Int(info.f_bavail) * Int(info.f_frsize)
        guard free < Self.minimumFreeBytes else { return nil }
        return "\(directory.path): file system full (\(free) bytes free)"
    }

    /// Why writes are refused, nil when they are not (the segment store's own write failure, or a
    /// history projection that failed).
    public var writeFailure: String? {
        directory.writeFailure.map { "memory store: \($0)" } ?? projectionFailure.withLock { $0 }
    }

    // MARK: Scopes

    /// See ``MemoryRecordStore/scopeNumber(for:create:)``.
    public func scopeNumber(for scope: MemoryScope, create: Bool) async throws -> UInt32? {
        if let number = scopeNumbers.withLock({ $0[scope] }) { return number }
        let lookup: @Sendable (SQLiteConnection) throws -> UInt32? = { db in
            let select = "SELECT number FROM scopes WHERE tenant = ? AND user_id = ?"
            return try db.queryOne(select, [.text(scope.tenant), .text(scope.userID)]).map { UInt32(truncatingIfNeeded: $0.int64(0)) }
        }
        var number = try await database.read(lookup)
        if number == nil, create {
            number = try await database.transaction { db in
                if let found = try lookup(db) { return found }
                try db.query("INSERT INTO scopes (tenant, user_id) VALUES (?, ?)", [.text(scope.tenant), .text(scope.userID)])
                return UInt32(truncatingIfNeeded: db.lastInsertRowID)
            }
        }
        if let number { scopeNumbers.withLock { $0[scope] = number } }
        return number
    }

    // MARK: Writes

    /// See ``MemoryRecordStore/apply(_:)``: one log record per change, one fsync for them all.
    public func apply(_ mutations: [MemoryMutation]) async throws -> [MemoryRecord] {
        guard !mutations.isEmpty else { return [] }
        var numbers: [MemoryScope: UInt32] = [:]
        for mutation in mutations where numbers[mutation.record.scope] == nil {
            numbers[mutation.record.scope] = try await scopeNumber(for: mutation.record.scope, create: true)
        }
        let adds = mutations.filter { if case .add = $0 { true } else { false } }.count
        var fresh = try await labels.reserve(adds).makeIterator()
        var applied: [MemoryRecord] = []
        var changes: [RecordChange] = []
        var notes: [HistoryNote] = []
        for mutation in mutations {
            switch mutation {
            case .add(var record):
                record.label = fresh.next()!
                let note = HistoryNote(record, .add, old: nil, new: record.text, at: record.createdAt)
                changes.append(
                    .upsert(
                        RecordMapping.stored(record, scopeNumber: numbers[record.scope]!), vector: record.embedding, note: note.encoded()))
                notes.append(note)
                applied.append(record)
            case .update(var record, let previousText):
                guard let current = try live(id: record.id, tenant: record.scope.tenant) else {
                    throw MemoryError(.notFound, "memory \(record.id) not found")
                }
                record.label = current.record.label
                let vector = record.embedding.isEmpty ? current.vector : record.embedding
                let note = HistoryNote(record, .update, old: previousText, new: record.text, at: record.updatedAt)
                changes.append(
                    .upsert(RecordMapping.stored(record, scopeNumber: numbers[record.scope]!), vector: vector, note: note.encoded()))
                notes.append(note)
                applied.append(record)
            case .delete(let record):
                guard try live(id: record.id, tenant: record.scope.tenant) != nil else {
                    throw MemoryError(.notFound, "memory \(record.id) not found")
                }
                let note = HistoryNote(record, .delete, old: record.text, new: nil, at: record.updatedAt)
                changes.append(.delete(id: record.id, note: note.encoded()))
                notes.append(note)
                applied.append(record)
            }
        }
        try await commit(changes, notes: notes)
        return applied
    }

    /// Logs `changes` (durable when this returns) and projects their notes, behind the gate.
    func commit(_ changes: [RecordChange], notes: [HistoryNote]) async throws {
        if let failure = projectionFailure.withLock({ $0 }) { throw MemoryError(.storage, failure) }
        try await gate.shared {
            try await self.onQueue { () throws(StorageError) in _ = try self.directory.commit(changes) }
            self.oldestUnsealedWrite.withLock { if $0 == nil { $0 = .now } }
            do {
                try await HistoryProjection.project(notes, into: self.database)
            } catch {
                let message = "history projection failed; writes refused until restart: \(error)"
                self.projectionFailure.withLock { $0 = message }
                self.logger.error("history projection failed", metadata: ["error": "\(error)"])
                throw MemoryError(.storage, message)
            }
        }
    }

    /// Runs blocking segment-store work on the store's queue, mapping its errors.
    func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws(StorageError) -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                do throws(StorageError) {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: Self.memoryError(error))
                }
            }
        }
    }

    /// Runs other blocking work (SQLite file copies) on the store's queue.
    func onQueueUntyped<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }

    static func memoryError(_ error: StorageError) -> MemoryError {
        switch error.code {
        case .invalidVector, .dimensionMismatch, .invalidArgument: MemoryError(.invalidArgument, error.message)
        default: MemoryError(.storage, "\(error)")
        }
    }

    /// See ``MemoryRecordStore/deleteScope(_:)``: every record of the user and, with the last
    /// change, a note that purges the user's history.
    public func deleteScope(_ scope: MemoryScope) async throws -> [UInt64] {
        guard let number = try await scopeNumber(for: scope, create: false) else { return [] }
        let records = try userRecords(number)
        let purge = HistoryNote(purging: scope, at: Date())
        var changes = records.map { RecordChange.delete(id: $0.id, note: nil) }
        changes.append(.delete(id: "", note: purge.encoded()))
        try await commit(changes, notes: [purge])
        erasurePending.withLock { $0 = true }
        return records.map(\.label)
    }

    // MARK: Reads

    /// The live stored record with `id` inside `tenant`, with its vector.
    func live(id: String, tenant: String) throws -> (record: StoredRecord, vector: [Float])? {
        guard let found = directory.recordWithVector(id: id), found.record.owner == tenant else { return nil }
        return found
    }

    /// The live stored records of one scope number.
    func userRecords(_ number: UInt32) throws -> [StoredRecord] {
        do {
            return try directory.records(tenant: number)
        } catch {
            throw Self.memoryError(error)
        }
    }

    /// See ``MemoryRecordStore/record(id:tenant:)``.
    public func record(id: String, tenant: String) async throws -> MemoryRecord? {
        try live(id: id, tenant: tenant).map { RecordMapping.memory($0.record, embedding: $0.vector) }
    }

    /// The live stored records of one scope number that `selection` selects (only those decoded).
    func userRecords(_ number: UInt32, selecting selection: RecordSelection) throws -> [StoredRecord] {
        do {
            return try directory.records(tenant: number, selecting: selection)
        } catch {
            throw Self.memoryError(error)
        }
    }

    /// See ``MemoryRecordStore/records(labels:scope:)``: the user's block, skimmed for the labels.
    public func records(labels: [UInt64], scope: MemoryScope) async throws -> [MemoryRecord] {
        guard !labels.isEmpty, let number = try await scopeNumber(for: scope, create: false) else { return [] }
        return try userRecords(number, selecting: .labels(Set(labels))).map { RecordMapping.memory($0) }
    }

    /// Labels are numbered per store, not indexed across users: this store answers only
    /// ``records(labels:scope:)``. Its managers load no index, so the start-up keyword prebuild
    /// (the one caller) has no users to ask about and never calls this; it returns nothing.
    public func records(labels: [UInt64]) async throws -> [MemoryRecord] { [] }

    /// See ``MemoryRecordStore/records(scope:agentID:runID:afterLabel:limit:)``.
    public func records(
        scope: MemoryScope, agentID: String?, runID: String?, afterLabel: UInt64, limit: Int
    ) async throws
        -> [MemoryRecord]
    {
        guard let number = try await scopeNumber(for: scope, create: false) else { return [] }
        let page = try userRecords(number).filter { record in
            record.label > afterLabel && (agentID == nil || record.agentID == agentID) && (runID == nil || record.runID == runID)
        }.sorted { $0.label < $1.label }.prefix(limit)
        return page.map { RecordMapping.memory($0) }
    }

    /// See ``MemoryRecordStore/record(scope:attribute:)``.
    /// The user's block is skimmed for the attribute; only the records filling it are decoded.
    public func record(scope: MemoryScope, attribute: String) async throws -> MemoryRecord? {
        guard let number = try await scopeNumber(for: scope, create: false) else { return nil }
        let filling: [(record: StoredRecord, vector: [Float])]
        do {
            filling = try directory.entries(tenant: number, selecting: .attribute(attribute))
        } catch {
            throw Self.memoryError(error)
        }
        return filling.min { $0.record.label < $1.record.label }.map { RecordMapping.memory($0.record, embedding: $0.vector) }
    }

    /// See ``MemoryRecordStore/allRecords(scope:)``.
    public func allRecords(scope: MemoryScope) async throws -> [MemoryRecord] {
        guard let number = try await scopeNumber(for: scope, create: false) else { return [] }
        return try userRecords(number).sorted { $0.label < $1.label }.map { RecordMapping.memory($0) }
    }

    /// See ``MemoryRecordStore/records(scope:attributePrefixes:)``: the block skimmed for the
    /// attributes, the total counted without reading a record.
    public func records(scope: MemoryScope, attributePrefixes: [String]) async throws -> (records: [MemoryRecord], total: Int) {
        guard let number = try await scopeNumber(for: scope, create: false) else { return ([], 0) }
        let selected = try userRecords(number, selecting: .attributePrefixes(attributePrefixes))
        return (selected.sorted { $0.label < $1.label }.map { RecordMapping.memory($0) }, directory.liveCount(tenant: number))
    }

    /// See ``MemoryRecordStore/history(memoryID:tenant:)``.
    public func history(memoryID: String, tenant: String) async throws -> [HistoryEntry] {
        try await HistoryProjection.history(
            memoryID: memoryID, tenant: tenant, live: { try self.live(id: memoryID, tenant: tenant)?.record.text }, in: database)
    }

    // MARK: Vector search

    /// See ``VectorSearchingStore/nearest(_:scopeNumber:limit:allowed:)``.
    public func nearest(
        _ vector: [Float], scopeNumber: UInt32, limit: Int, allowed: Set<UInt64>?
    ) async throws -> NearestRecords {
        guard limit > 0 else { return NearestRecords() }
        if let allowed {
            // Filters decided the candidates already: score exactly those, before the top-k cut.
            let entries: [(record: StoredRecord, vector: [Float])]
            do {
                entries = try directory.entries(tenant: scopeNumber, selecting: .labels(allowed))
            } catch {
                throw Self.memoryError(error)
            }
            let scored = entries.map { entry in (entry.record, Self.dot(vector, entry.vector)) }
            let best = scored.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0.id < $1.0.id }.prefix(limit)
            let kept = Array(best)
            return NearestRecords(hits: kept.map { ($0.0.label, $0.1) }) { RecordMapping.memory(kept[$0].0) }
        }
        do {
            // Records are decoded only for the hits the caller reads (a hybrid search reads a tenth).
            let hits = try directory.searchLazily(vector, options: RecordSearchOptions(k: limit, tenant: scopeNumber))
            return NearestRecords(hits: hits.map { ($0.label, 1 - $0.distance) }) { position throws in
                do throws(StorageError) {
                    return RecordMapping.memory(try hits[position].record())
                } catch {
                    throw Self.memoryError(error)
                }
            }
        } catch {
            throw Self.memoryError(error)
        }
    }

    /// See ``VectorSearchingStore/liveCount``.
    public var liveCount: Int { directory.count }

    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for i in 0..<min(a.count, b.count) { sum += a[i] * b[i] }
        return sum
    }

    /// The store searches its own vectors; no index is loaded from it.
    public func forEachEmbedding(_ body: @escaping @Sendable (UInt64, UInt32, [Float]) -> Void) async throws {}
}

extension MemoryMutation {
    /// The record the mutation carries.
    var record: MemoryRecord {
        switch self {
        case .add(let record), .update(let record, _), .delete(let record): record
        }
    }
}
