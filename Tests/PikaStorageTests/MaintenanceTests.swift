import Foundation
import PikaEngine
import PikaTestSupport
import Synchronization
import Testing

@testable import PikaStorage

@Suite("Compaction, rebuild, snapshots, verify", .blockingWork)
struct MaintenanceTests {
    /// Three sealed segments, some deletes and updates, some records still in the log.
    private func populated(_ path: String) throws -> (DataDirectory, live: [Int]) {
        let store = try DataDirectory.create(at: path, configuration: Fixture.configuration())
        var live = Set<Int>()
        for batch in 0..<3 {
            let range = (batch * 100)..<(batch * 100 + 100)
            try store.upsert(range.map { Fixture.record($0) }, vectors: range.map { Fixture.vector($0) })
            live.formUnion(range)
            try store.seal()
        }
        for n in stride(from: 0, to: 300, by: 7) {
            try store.delete(id: "id-\(n)")
            live.remove(n)
        }
        try store.upsert((300..<320).map { Fixture.record($0) }, vectors: (300..<320).map { Fixture.vector($0) })
        live.formUnion(300..<320)
        return (store, live.sorted())
    }

    private func expectAnswers(_ store: DataDirectory, live: [Int]) throws {
        #expect(store.count == live.count)
        for q in 0..<8 {
            let query = Fixture.vector(7000 + q)
            let tenant = UInt32(q % 4)
            #expect(
                Fixture.ids(try store.search(query, options: RecordSearchOptions(k: 10, ef: 400)))
                    == Fixture.bruteForce(query, live: live, k: 10))
            #expect(
                Fixture.ids(try store.search(query, options: RecordSearchOptions(k: 6, ef: 400, tenant: tenant)))
                    == Fixture.bruteForce(query, live: live, k: 6, tenant: tenant))
        }
    }

    @Test("compaction merges segments, drops tombstones, keeps answers, and survives reopening")
    func compaction() throws {
        let dir = try TempDir()
        do {
            let (store, live) = try populated(dir.sub("d"))
            try expectAnswers(store, live: live)
            let dropped = try store.compact()
            #expect(dropped == 43)
            let stats = store.stats()
            #expect(stats.segments.count == 1)
            #expect(stats.tombstones == 0)
            try expectAnswers(store, live: live)
            #expect(try store.compact() == nil)
            // The merged segment is ordered by tenant.
            let files = try Bytes.files(dir.sub("d"), prefix: "seg-", suffix: ".pseg")
            #expect(files.count == 1)
        }
        let (_, live) = try populated(dir.sub("expected"))
        let store = try DataDirectory.open(at: dir.sub("d"))
        try expectAnswers(store, live: live)
        #expect(DataDirectory.verify(at: dir.sub("d")).isHealthy)
    }

    @Test("deletes and updates made during compaction are carried over")
    func compactionConcurrentWrites() throws {
        let dir = try TempDir()
        let (store, liveAtStart) = try populated(dir.sub("d"))
        var live = Set(liveAtStart)
        let done = DispatchSemaphore(value: 0)
        let box = ErrorBox()
        DispatchQueue.global().async {
            do { try store.compact(threads: 1) } catch { box.set(error) }
            done.signal()
        }
        for n in stride(from: 1, to: 300, by: 11) where live.contains(n) {
            try store.delete(id: "id-\(n)")
            live.remove(n)
        }
        done.wait()
        #expect(box.error == nil)
        // Whichever side of the switch each delete landed on, it holds now and after reopening.
        try expectAnswers(store, live: live.sorted())
        try store.seal()
        try store.compact()
        try expectAnswers(store, live: live.sorted())
    }

    @Test("rebuild makes new graphs with new parameters and keeps answers")
    func rebuild() throws {
        let dir = try TempDir()
        let (store, live) = try populated(dir.sub("d"))
        try store.seal()
        let progress = ProgressLog()
        // One thread: expectAnswers compares graph results with brute force exactly, which only a
        // deterministic graph can promise (a two-thread build differs run to run and, at M 8, missed
        // one neighbour in about one run of seven). Parallel builds are covered by the engine's tests.
        try store.rebuild(m: 8, efConstruction: 100, threads: 1, progress: { d, t in progress.add(d, t) })
        #expect(progress.last?.0 == progress.last?.1)
        try expectAnswers(store, live: live)
        #expect(try Bytes.files(dir.sub("d"), prefix: "seg-", suffix: ".chnsw").allSatisfy { $0.contains("-g") })
        #expect(try Manifest.read(directory: dir.sub("d")).configuration.m == 8)
    }

    @Test("searches answer and writes land while a rebuild runs; the swap keeps both")
    func rebuildWhileServing() throws {
        let dir = try TempDir()
        let (store, liveAtStart) = try populated(dir.sub("d"))
        var live = Set(liveAtStart)
        // The rebuild stops at its first progress report until the searches and writes below
        // are done, so they certainly run while it is under way.
        let paused = DispatchSemaphore(value: 0)
        let resume = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        let firstReport = Mutex(true)
        let box = ErrorBox()
        DispatchQueue.global().async {
            do {
                try store.rebuild(
                    m: 8, efConstruction: 100, threads: 1,
                    progress: { _, _ in
                        if firstReport.withLock({ first in
                            defer { first = false }
                            return first
                        }) {
                            paused.signal()
                            resume.wait()
                        }
                    })
            } catch { box.set(error) }
            done.signal()
        }
        #expect(paused.wait(timeout: .now() + 60) == .success, "the rebuild never reported progress")
        try expectAnswers(store, live: live.sorted())  // the old graphs
        try store.upsert((400..<410).map { Fixture.record($0) }, vectors: (400..<410).map { Fixture.vector($0) })
        live.formUnion(400..<410)
        for n in [1, 2, 3] {
            try store.delete(id: "id-\(n)")
            live.remove(n)
        }
        try expectAnswers(store, live: live.sorted())
        resume.signal()
        #expect(done.wait(timeout: .now() + 60) == .success, "the rebuild did not finish")
        #expect(box.error == nil)
        try expectAnswers(store, live: live.sorted())  // the new graphs, with the writes made meanwhile
        #expect(try Manifest.read(directory: dir.sub("d")).configuration.m == 8)
    }

    @Test("a snapshot restores to a directory that answers the same searches; restore refuses a non-empty target")
    func snapshotRestore() throws {
        let dir = try TempDir()
        let (store, live) = try populated(dir.sub("d"))
        let info = try store.snapshot(to: dir.sub("snap.pikasnap"))
        #expect(info.records == live.count)
        #expect(try DataDirectory.listSnapshots(at: dir.sub("d")).map(\.info) == [info])
        // Writes after the snapshot are not in it.
        try store.upsert(Fixture.record(900), vector: Fixture.vector(900))
        try DataDirectory.restore(from: dir.sub("snap.pikasnap"), to: dir.sub("restored"))
        let restored = try DataDirectory.open(at: dir.sub("restored"))
        try expectAnswers(restored, live: live)
        #expect(restored.record(id: "id-900") == nil)
        for q in 0..<5 {
            let query = Fixture.vector(100 + q)
            var before = try store.search(query, options: RecordSearchOptions(k: 10, ef: 100))
            before.removeAll { $0.record.id == "id-900" }
            let after = try restored.search(query, options: RecordSearchOptions(k: 10, ef: 100))
            #expect(Fixture.ids(Array(before.prefix(after.count))) == Fixture.ids(after))
        }
        do {
            try DataDirectory.restore(from: dir.sub("snap.pikasnap"), to: dir.sub("restored"))
            Issue.record("restore over data succeeded")
        } catch {
            #expect(error.code == .notEmpty)
        }
        _ = restored
    }

    @Test("a snapshot taken while writers run holds every write acknowledged before it, none half")
    func snapshotDuringWrites() throws {
        let dir = try TempDir()
        let store = try DataDirectory.create(at: dir.sub("d"), configuration: Fixture.configuration())
        let acked = AckLog()
        let stop = StopFlag()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var n = 0
            while !stop.isSet {
                try! store.upsert(Fixture.record(n), vector: Fixture.vector(n))
                acked.add(n)
                n += 1
                if n % 80 == 0 { try! store.seal() }
            }
            done.signal()
        }
        while acked.count < 100 { usleep(1000) }
        let before = acked.count
        let info = try store.snapshot(to: dir.sub("s.pikasnap"))
        stop.set()
        done.wait()
        try DataDirectory.restore(from: dir.sub("s.pikasnap"), to: dir.sub("r"))
        let restored = try DataDirectory.open(at: dir.sub("r"))
        #expect(restored.count >= before)
        #expect(restored.count == Int(info.lsn))
        for n in 0..<restored.count { #expect(restored.record(id: "id-\(n)") == Fixture.record(n)) }
        #expect(DataDirectory.verify(at: dir.sub("r")).isHealthy)
    }

    @Test("verify reports every file and names the damaged one")
    func verify() throws {
        let dir = try TempDir()
        do {
            let (store, _) = try populated(dir.sub("d"))
            try store.seal()
        }
        let report = DataDirectory.verify(at: dir.sub("d"))
        #expect(report.isHealthy)
        #expect(Set(report.files.map(\.kind)) == ["manifest", "segment", "graph", "tombstones", "wal"])
        let segment = try Bytes.files(dir.sub("d"), prefix: "seg-", suffix: ".pseg")[1]
        var bytes = try Bytes.read(dir.sub("d/" + segment))
        bytes[SegmentFormat.pageSize + 5] ^= 0x10  // a vector byte: only verify sees it
        try Bytes.write(bytes, to: dir.sub("d/" + segment))
        let damaged = DataDirectory.verify(at: dir.sub("d"))
        #expect(!damaged.isHealthy)
        let bad = damaged.files.filter { $0.error != nil }
        #expect(bad.map(\.file) == [segment])
        #expect(bad.first?.error?.path?.hasSuffix(segment) == true)
    }
}

final class ErrorBox: Sendable {
    private let stored = Mutex<(any Error)?>(nil)
    func set(_ e: any Error) { stored.withLock { $0 = e } }
    var error: (any Error)? { stored.withLock { $0 } }
}

final class AckLog: Sendable {
    private let items = Mutex<[Int]>([])
    func add(_ n: Int) { items.withLock { $0.append(n) } }
    var count: Int { items.withLock { $0.count } }
}

final class StopFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

final class ProgressLog: Sendable {
    private let items = Mutex<[(Int, Int)]>([])
    func add(_ d: Int, _ t: Int) { items.withLock { $0.append((d, t)) } }
    var last: (Int, Int)? { items.withLock { $0.last } }
}
