import Foundation
import PikaEngine
import PikaTestSupport
import Synchronization
import Testing

@testable import PikaStorage

@Suite("Data directory: writes, recovery, seal, search", .blockingWork)
struct DataDirectoryTests {
    @Test("records written through the log survive reopening, with every field")
    func replay() throws {
        let dir = try TempDir()
        do {
            let store = try Fixture.store(at: dir.sub("d"), count: 40)
            #expect(store.count == 40)
        }
        let store = try DataDirectory.open(at: dir.sub("d"))
        #expect(store.recovery.replayedRecords == 40)
        #expect(store.recovery.problems.isEmpty)
        #expect(store.record(id: "id-7") == Fixture.record(7))
        let hits = try store.search(Fixture.vector(7), options: RecordSearchOptions(k: 3))
        #expect(hits.first?.record == Fixture.record(7))
    }

    @Test("search matches brute force, per tenant and across tenants, before and after sealing")
    func searchMatchesBruteForce() throws {
        let dir = try TempDir()
        let store = try Fixture.store(at: dir.sub("d"), count: 300)
        let live = Array(0..<300)
        func check() throws {
            for q in 0..<10 {
                let query = Fixture.vector(1000 + q)
                let all = try store.search(query, options: RecordSearchOptions(k: 10, ef: 200))
                #expect(Fixture.ids(all) == Fixture.bruteForce(query, live: live, k: 10))
                let tenant = UInt32(q % 4)
                let mine = try store.search(query, options: RecordSearchOptions(k: 5, ef: 200, tenant: tenant))
                #expect(Fixture.ids(mine) == Fixture.bruteForce(query, live: live, k: 5, tenant: tenant))
                #expect(mine.allSatisfy { $0.record.tenant == tenant })
            }
        }
        try check()
        try store.seal()
        #expect(store.stats().segments.count == 1)
        #expect(store.stats().growingRecords == 0)
        try check()
        // A second segment next to the first.
        try store.upsert((300..<350).map { Fixture.record($0) }, vectors: (300..<350).map { Fixture.vector($0) })
        try store.seal()
        #expect(store.stats().segments.count == 2)
        let query = Fixture.vector(5000)
        #expect(
            Fixture.ids(try store.search(query, options: RecordSearchOptions(k: 10, ef: 200)))
                == Fixture.bruteForce(query, live: Array(0..<350), k: 10))
    }

    @Test("updates replace and deletes remove, in the log, in sealed segments and after reopening")
    func updatesAndDeletes() throws {
        let dir = try TempDir()
        do {
            let store = try Fixture.store(at: dir.sub("d"), count: 100)
            try store.seal()
            try store.upsert(Fixture.record(3, text: "changed"), vector: Fixture.vector(3))
            #expect(try store.delete(id: "id-4"))
            #expect(try store.delete(id: "id-4") == false)
            try store.upsert(Fixture.record(200), vector: Fixture.vector(200))
            #expect(try store.delete(id: "id-200"))
            #expect(store.record(id: "id-3")?.text == "changed")
            #expect(store.record(id: "id-4") == nil)
            #expect(store.count == 99)
        }
        do {
            let store = try DataDirectory.open(at: dir.sub("d"))
            #expect(store.record(id: "id-3")?.text == "changed")
            #expect(store.record(id: "id-4") == nil)
            #expect(store.record(id: "id-200") == nil)
            #expect(store.count == 99)
            let hits = try store.search(Fixture.vector(4), options: RecordSearchOptions(k: 99))
            #expect(!hits.contains { $0.record.id == "id-4" })
            #expect(hits.filter { $0.record.id == "id-3" }.count == 1)
            try store.seal()  // tombstones persisted
        }
        let store = try DataDirectory.open(at: dir.sub("d"))
        #expect(store.recovery.replayedRecords == 0)
        #expect(store.record(id: "id-4") == nil)
        #expect(store.record(id: "id-3")?.text == "changed")
        #expect(store.count == 99)
        #expect(store.stats().tombstones == 2)
    }

    @Test("a torn last log record is truncated and reported; earlier records stay")
    func tornTail() throws {
        let dir = try TempDir()
        do { _ = try Fixture.store(at: dir.sub("d"), count: 10) }
        let wal = dir.sub("d/") + (try Bytes.files(dir.sub("d"), prefix: "wal-", suffix: ".log")[0])
        let full = try Bytes.read(wal)
        for cut in [1, 7, 8, 20] {
            try Bytes.write(Array(full.dropLast(cut)), to: wal)
            let store = try DataDirectory.open(at: dir.sub("d"))
            #expect(store.count == 9)
            #expect(store.recovery.truncatedBytes > 0)
            #expect(store.recovery.problems.contains { $0.path == wal })
            #expect(POSIX.fileSize(wal) == full.count - recordLength(full, last: true))
        }
        // Appending after the truncation works and survives.
        do {
            let store = try DataDirectory.open(at: dir.sub("d"))
            try store.upsert(Fixture.record(50), vector: Fixture.vector(50))
        }
        let store = try DataDirectory.open(at: dir.sub("d"))
        #expect(store.count == 10)
        #expect(store.recovery.problems.isEmpty)
    }

    /// Length of the last record of a log.
    private func recordLength(_ wal: [UInt8], last: Bool) -> Int {
        var offset = WALFormat.headerSize
        var length = 0
        while offset + 8 <= wal.count {
            let n = Int(wal[offset]) | Int(wal[offset + 1]) << 8 | Int(wal[offset + 2]) << 16 | Int(wal[offset + 3]) << 24
            length = n + 8
            offset += length
        }
        return length
    }

    @Test("group commit: concurrent writers are all durable when they return")
    func groupCommit() throws {
        let dir = try TempDir()
        var options = OpenOptions()
        options.durability = .groupCommit(milliseconds: 5)
        do {
            let store = try DataDirectory.create(at: dir.sub("d"), configuration: Fixture.configuration(), options: options)
            DispatchQueue.concurrentPerform(iterations: 4) { t in
                for i in 0..<25 {
                    let n = t * 100 + i
                    try! store.upsert(Fixture.record(n), vector: Fixture.vector(n))
                }
            }
        }
        let store = try DataDirectory.open(at: dir.sub("d"))
        #expect(store.count == 100)
    }

    @Test("group commit: a lone writer syncs each write at once, concurrent writers share syncs")
    func groupCommitSharing() throws {
        let dir = try TempDir()
        var options = OpenOptions()
        // A wait this long would make 20 lone writes take minutes if a writer slept it out.
        options.durability = .groupCommit(milliseconds: 10_000)
        let store = try DataDirectory.create(at: dir.sub("d"), configuration: Fixture.configuration(), options: options)
        for i in 0..<20 { try store.upsert(Fixture.record(i), vector: Fixture.vector(i)) }
        #expect(store.commit?.syncCount == 20)

        // Two writers append while a third is still appending (simulated by holding its
        // beginWrite open): the leader waits for it, and one fsync covers both records.
        let commit = try #require(store.commit)
        let before = commit.syncCount
        let ticket = commit.beginWrite()
        let group = DispatchGroup()
        for n in [100, 101] {
            DispatchQueue.global().async(group: group) { try! store.upsert(Fixture.record(n), vector: Fixture.vector(n)) }
        }
        while store.count < 22 { usleep(1_000) }  // both records appended and applied
        #expect(commit.syncCount == before)  // nobody synced while a writer was appending
        commit.endWrite(ticket)
        group.wait()
        #expect(commit.syncCount == before + 1)
        let reopened = try DataDirectory.open(
            at: dir.sub("d"),
            options: {
                var ro = OpenOptions()
                ro.readOnly = true
                return ro
            }())
        #expect(reopened.count == 22)
    }

    @Test("a store closed while this process spawns children reopens at once")
    func reopenWhileSpawning() throws {
        // A spawned child holds copies of this process's descriptors, the lock's too, until its exec.
        let dir = try TempDir()
        _ = try Fixture.store(at: dir.sub("d"), count: 5)
        let stop = Atomic<Bool>(false)
        let spawned = Atomic<Int>(0)
        let spawner = Thread {
            while !stop.load(ordering: .relaxed) {
                var pid: pid_t = 0
                let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
                defer { free(argv[0]) }
                guard posix_spawn(&pid, "/bin/true", nil, nil, argv, environ) == 0 else { break }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                spawned.add(1, ordering: .relaxed)
            }
        }
        spawner.start()
        defer { stop.store(true, ordering: .relaxed) }
        while spawned.load(ordering: .relaxed) == 0 { usleep(1000) }
        for round in 0..<200 {
            do {
                _ = try DataDirectory.open(at: dir.sub("d"))
            } catch {
                Issue.record("round \(round): \(error)")
                break
            }
        }
        #expect(spawned.load(ordering: .relaxed) > 1)
    }

    @Test("bad vectors and read-only writes are refused with named errors")
    func refusals() throws {
        let dir = try TempDir()
        let store = try Fixture.store(at: dir.sub("d"), count: 5, metric: .cosine)
        #expect(throws: StorageError.self) { try store.upsert(Fixture.record(9), vector: [1, 2]) }
        #expect((try? store.upsert(Fixture.record(9), vector: [Float](repeating: 0, count: 8))) == nil)
        #expect((try? store.upsert(Fixture.record(9), vector: [Float](repeating: .nan, count: 8))) == nil)
        do {
            try store.upsert(Fixture.record(9), vector: [1])
        } catch {
            #expect(error.code == .dimensionMismatch)
        }
        do {
            _ = try DataDirectory.create(at: dir.sub("d"), configuration: Fixture.configuration())
            Issue.record("create over data succeeded")
        } catch {
            #expect(error.code == .notEmpty)
        }
        do {
            _ = try DataDirectory.open(at: dir.sub("d"))
            Issue.record("second writer opened")
        } catch {
            #expect(error.code == .locked)
        }
        var ro = OpenOptions()
        ro.readOnly = true
        let reader = try DataDirectory.open(at: dir.sub("d"), options: ro)
        #expect(reader.count == 5)
        do {
            try reader.upsert(Fixture.record(9), vector: Fixture.vector(9))
        } catch {
            #expect(error.code == .readOnly)
        }
        do {
            _ = try DataDirectory.open(at: dir.sub("nothing"))
        } catch {
            #expect(error.code == .notFound || error.code == .io)
        }
    }

    @Test("bulk load writes a sealed segment that opens without replay and searches exactly")
    func bulkLoad() throws {
        let dir = try TempDir()
        do {
            let store = try DataDirectory.create(at: dir.sub("d"), configuration: Fixture.configuration())
            try store.bulkLoad((0..<500).map { Fixture.record($0) }, vectors: (0..<500).flatMap { Fixture.vector($0) }, threads: 2)
            #expect(throws: StorageError.self) { try store.bulkLoad([Fixture.record(1)], vectors: Fixture.vector(1)) }
        }
        let store = try DataDirectory.open(at: dir.sub("d"))
        #expect(store.count == 500)
        #expect(store.stats().tenants == 4)
        let query = Fixture.vector(9999)
        #expect(
            Fixture.ids(try store.search(query, options: RecordSearchOptions(k: 10, tenant: 2)))
                == Fixture.bruteForce(query, live: Array(0..<500), k: 10, tenant: 2))
        let graph = try store.search(query, options: RecordSearchOptions(k: 10, ef: 300))
        #expect(Set(Fixture.ids(graph)).intersection(Fixture.bruteForce(query, live: Array(0..<500), k: 10)).count >= 9)
    }
}
