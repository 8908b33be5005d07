import Foundation
import PikaEngine
import PikaTestSupport
import Synchronization
import Testing

@testable import PikaStorage

/// Failed appends and fsyncs of the write-ahead log, injected through `OpenOptions.faults`.
@Suite("Write-ahead log: failed appends, failed fsyncs, a full disk", .blockingWork)
struct WALFaultTests {
    /// Records 100..<110, written as one batch by the writes meant to fail: half of its bytes
    /// are five whole records, which a log that is not cut back would keep.
    static let batch = Array(100..<110)

    @Test("a failed append is cut back: later writes follow the last whole record, LSNs stay unique")
    func failedAppend() throws {
        let dir = try TempDir()
        var options = OpenOptions()
        options.faults = .failing(.write, at: [3], errno: EIO)
        do {
            let store = try DataDirectory.create(at: dir.sub("d"), configuration: Fixture.configuration(), options: options)
            for n in 0..<2 { try store.upsert(Fixture.record(n), vector: Fixture.vector(n)) }
            #expect(code { try Self.writeBatch(store) } == .io)
            #expect(store.writeFailure == nil)
            for n in 2..<5 { try store.upsert(Fixture.record(n), vector: Fixture.vector(n)) }
            #expect(store.count == 5)
        }
        let store = try DataDirectory.open(at: dir.sub("d"))
        try Self.expectExactly(Array(0..<5), in: store)
        #expect(try Self.logLSNs(dir.sub("d")).count == 5)
    }

    @Test("a full disk fails the write with no_space, keeps the directory writable and loses nothing acknowledged")
    func fullDisk() throws {
        let dir = try TempDir()
        var options = OpenOptions()
        options.faults = .failing(.write, at: [2, 3], errno: ENOSPC)
        do {
            let store = try DataDirectory.create(at: dir.sub("d"), configuration: Fixture.configuration(), options: options)
            try store.upsert(Fixture.record(0), vector: Fixture.vector(0))
            #expect(code { try Self.writeBatch(store) } == .noSpace)
            #expect(code { try Self.writeBatch(store) } == .noSpace)
            #expect(store.writeFailure == nil)
            // Space is back: writes go on.
            for n in 1..<3 { try store.upsert(Fixture.record(n), vector: Fixture.vector(n)) }
        }
        let store = try DataDirectory.open(at: dir.sub("d"))
        try Self.expectExactly(Array(0..<3), in: store)
        #expect(try Self.logLSNs(dir.sub("d")).count == 3)
    }

    @Test("a failed fsync refuses every later write until reopened; what was acknowledged before survives")
    func failedSync() throws {
        let dir = try TempDir()
        var options = OpenOptions()
        options.faults = .failing(.sync, at: [3], errno: EIO)
        do {
            let store = try DataDirectory.create(at: dir.sub("d"), configuration: Fixture.configuration(), options: options)
            for n in 0..<2 { try store.upsert(Fixture.record(n), vector: Fixture.vector(n)) }
            #expect(code { try store.upsert(Fixture.record(2), vector: Fixture.vector(2)) } == .storageUnavailable)
            #expect(store.writeFailure?.code == .storageUnavailable)
            #expect(store.writeFailure?.message.contains("fsync failed") == true)
            // Refused without another fsync: a retried fsync would "succeed" without the lost pages.
            #expect(code { try store.upsert(Fixture.record(3), vector: Fixture.vector(3)) } == .storageUnavailable)
            #expect(code { try store.delete(id: "id-0") } == .storageUnavailable)
            #expect(code { try store.seal() } == .storageUnavailable)
            // Reads go on.
            #expect(store.record(id: "id-1") == Fixture.record(1))
        }
        let store = try DataDirectory.open(at: dir.sub("d"))
        #expect(store.recovery.problems.isEmpty)
        #expect(store.writeFailure == nil)
        for n in 0..<2 { #expect(store.record(id: "id-\(n)") == Fixture.record(n)) }
        #expect(store.record(id: "id-3") == nil)
        try store.upsert(Fixture.record(4), vector: Fixture.vector(4))
        _ = try Self.logLSNs(dir.sub("d"))
    }

    @Test("group commit: a failed fsync fails its leader and every writer waiting on it, and is never retried")
    func failedGroupSync() throws {
        let dir = try TempDir()
        let syncs = CallCounter()
        let gate = DispatchSemaphore(value: 0)
        var options = OpenOptions()
        options.durability = .groupCommit(milliseconds: 1)
        // The second fsync waits until the test has seen every writer append, then fails.
        options.faults = WALFaults { call in
            guard call == .sync, syncs.next() == 2 else { return nil }
            gate.wait()
            return EIO
        }
        do {
            let store = try DataDirectory.create(at: dir.sub("d"), configuration: Fixture.configuration(), options: options)
            try store.upsert(Fixture.record(0), vector: Fixture.vector(0))
            let outcomes = Mutex<[StorageError.Code?]>([])
            let group = DispatchGroup()
            for n in 1...4 {
                DispatchQueue.global().async(group: group) {
                    let c = code { try store.upsert(Fixture.record(n), vector: Fixture.vector(n)) }
                    outcomes.withLock { $0.append(c) }
                }
            }
            // All four records appended (and applied): one writer leads the held fsync, the others wait on it.
            while store.count < 5 { usleep(1_000) }
            gate.signal()
            group.wait()
            #expect(outcomes.withLock { $0 } == Array(repeating: StorageError.Code.storageUnavailable, count: 4))
            #expect(syncs.count == 2)
            #expect(code { try store.upsert(Fixture.record(5), vector: Fixture.vector(5)) } == .storageUnavailable)
            #expect(syncs.count == 2)
            #expect(store.writeFailure?.code == .storageUnavailable)
        }
        let store = try DataDirectory.open(at: dir.sub("d"))
        #expect(store.recovery.problems.isEmpty)
        #expect(store.record(id: "id-0") == Fixture.record(0))
        #expect(store.record(id: "id-5") == nil)
    }

    // MARK: Helpers

    /// The code of the `StorageError` `body` throws, or nil when it does not throw.
    private func code(_ body: () throws -> Void) -> StorageError.Code? {
        do {
            try body()
            return nil
        } catch let error as StorageError {
            return error.code
        } catch {
            Issue.record("not a StorageError: \(error)")
            return nil
        }
    }

    private static func writeBatch(_ store: DataDirectory) throws {
        try store.upsert(batch.map { Fixture.record($0) }, vectors: batch.map { Fixture.vector($0) })
    }

    /// The store holds exactly `numbers`' records, and recovery found nothing wrong.
    private static func expectExactly(_ numbers: [Int], in store: DataDirectory) throws {
        #expect(store.recovery.problems.isEmpty)
        #expect(store.count == numbers.count)
        for n in numbers { #expect(store.record(id: "id-\(n)") == Fixture.record(n)) }
        for n in batch { #expect(store.record(id: "id-\(n)") == nil) }
    }

    /// The LSNs in the directory's current log, which must be strictly increasing, with no
    /// damage and no torn tail.
    private static func logLSNs(_ path: String) throws -> [UInt64] {
        let name = try Manifest.read(directory: path).wal
        let bytes = try Bytes.read(path + "/" + name)
        let scan = try bytes.withUnsafeBytes { try WALFormat.scan($0, path: name) }
        #expect(scan.damage == nil)
        #expect(scan.tornBytes == 0)
        let lsns = scan.entries.map(\.lsn)
        #expect(zip(lsns, lsns.dropFirst()).allSatisfy { $0 < $1 })
        return lsns
    }
}
