import Dispatch
import Foundation
import PikaMemory
import Synchronization
import Testing

@testable import PikaRelational

/// Group commit and background checkpoints of ``SQLiteDatabase``, on real files reopened afterwards.
@Suite("SQLite group commit")
struct SQLiteGroupCommitTests {
    struct BodyFailed: Error, Equatable { let index: Int }

    /// A database file in a fresh directory, with table `t(seq, n)` and a deferred foreign key from
    /// `child` to `parent`.
    func database(checkpointFrames: Int = 1000) throws -> (SQLiteDatabase, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pika-group-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/test.sqlite"
        let migrations = [
            """
            CREATE TABLE t (seq INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL, seen INTEGER NOT NULL);
            CREATE TABLE parent (id INTEGER PRIMARY KEY);
            CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED);
            CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB NOT NULL);
            """
        ]
        return (try SQLiteDatabase(path: path, migrations: migrations, checkpointFrames: checkpointFrames), path)
    }

    final class Flag: Sendable {
        private let value = Atomic<Bool>(false)
        func set() { value.store(true, ordering: .releasing) }
        var isSet: Bool { value.load(ordering: .acquiring) }
    }

    /// Holds the write queue until `release()`, so transactions called meanwhile wait together.
    final class QueueGate: Sendable {
        let semaphore: DispatchSemaphore
        let task: Task<Void, any Error>

        init(_ database: SQLiteDatabase) async throws {
            let semaphore = DispatchSemaphore(value: 0)
            let holding = Flag()
            self.semaphore = semaphore
            task = Task {
                try await database.run { _ in
                    holding.set()
                    semaphore.wait()
                }
            }
            try await Self.until("the gate holds the write queue") { holding.isSet }
        }

        func release() async throws {
            semaphore.signal()
            try await task.value
        }

        /// Polls `condition` every millisecond for up to 120 s: a guard against hangs, not a timing.
        /// The whole parallel suite on two cores has stalled for ~28 s at once (every test, the
        /// trivial ones too), and a 10 s guard then fired before the gate's block could run.
        static func until(_ what: String, _ condition: () -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(120)
            while !condition() {
                guard ContinuousClock.now < deadline else { throw GateTimeout(what: what) }
                try await Task.sleep(for: .milliseconds(1))
            }
        }

        struct GateTimeout: Error { let what: String }
    }

    /// Starts `count` transactions one after another (each waiting before the next is called) while
    /// the queue is held, so their call order is known; body `i` runs `body(i, connection)`.
    func queued(
        _ database: SQLiteDatabase, _ count: Int, _ body: @escaping @Sendable (Int, SQLiteConnection) throws -> Void
    ) async throws -> [Task<Void, any Error>] {
        var tasks: [Task<Void, any Error>] = []
        for index in 0..<count {
            tasks.append(Task { try await database.transaction { db in try body(index, db) } })
            try await QueueGate.until("transaction \(index) waits") { database.waitingTransactions == index + 1 }
        }
        return tasks
    }

    func reopenedRows(_ path: String) throws -> [(n: Int, seen: Int)] {
        let reopened = try SQLiteDatabase(path: path)
        return try reopened.runBlocking { db in
            try db.query("SELECT n, seen FROM t ORDER BY seq").map { ($0.int(0), $0.int(1)) }
        }
    }

    @Test func waitingTransactionsShareOneCommitRunInCallOrderAndSurviveReopen() async throws {
        let (database, path) = try database()
        let before = database.groupTransactions.load(ordering: .relaxed)
        let gate = try await QueueGate(database)
        let tasks = try await queued(database, 40) { index, db in
            // Each body sees what the bodies before it in the group wrote.
            let seen = try db.queryOne("SELECT COUNT(*) FROM t")!.int(0)
            try db.query("INSERT INTO t (n, seen) VALUES (?, ?)", [.int(index), .int(seen)])
        }
        try await gate.release()
        for task in tasks { try await task.value }
        #expect(database.groupTransactions.load(ordering: .relaxed) - before == 1)
        let rows = try reopenedRows(path)
        #expect(rows.map(\.n) == Array(0..<40))
        #expect(rows.map(\.seen) == Array(0..<40))
    }

    @Test func aFailingBodyRollsBackOnlyItself() async throws {
        let (database, path) = try database()
        let gate = try await QueueGate(database)
        let failing: Set<Int> = [0, 3, 7]
        let tasks = try await queued(database, 10) { index, db in
            try db.query("INSERT INTO t (n, seen) VALUES (?, 0)", [.int(index)])
            if failing.contains(index) { throw BodyFailed(index: index) }
        }
        try await gate.release()
        for (index, task) in tasks.enumerated() {
            if failing.contains(index) {
                await #expect(throws: BodyFailed(index: index)) { try await task.value }
            } else {
                try await task.value
            }
        }
        #expect(try reopenedRows(path).map(\.n) == [1, 2, 4, 5, 6, 8, 9])
    }

    @Test func aFailedCommitFailsEveryBodyOfTheGroup() async throws {
        let (database, path) = try database()
        let gate = try await QueueGate(database)
        // Body 1 breaks a deferred foreign key: each statement succeeds, the shared COMMIT is refused.
        let tasks = try await queued(database, 3) { index, db in
            try db.query("INSERT INTO t (n, seen) VALUES (?, 0)", [.int(index)])
            if index == 1 { try db.query("INSERT INTO child (id, parent_id) VALUES (1, 42)") }
        }
        try await gate.release()
        for task in tasks {
            await #expect(throws: SQLiteError.self) { try await task.value }
        }
        #expect(try reopenedRows(path).isEmpty)
        // The connection is usable afterwards: the next transaction commits alone.
        try await database.transaction { db in try db.query("INSERT INTO t (n, seen) VALUES (99, 0)") }
        #expect(try reopenedRows(path).map(\.n) == [99])
    }

    @Test func concurrentTransactionsAreAllDurable() async throws {
        let (database, path) = try database()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await database.transaction { db in _ = try db.query("INSERT INTO t (n, seen) VALUES (?, 0)", [.int(index)]) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try reopenedRows(path).map(\.n).sorted() == Array(0..<200))
        #expect(database.groupTransactions.load(ordering: .relaxed) <= 200)
    }

    @Test func checkpointsRunInTheBackgroundAndKeepTheLogSmall() async throws {
        let (database, path) = try database(checkpointFrames: 64)
        let rows = 600
        for index in 0..<rows {
            try await database.transaction { db in
                try db.query("INSERT INTO blobs (id, data) VALUES (?, zeroblob(4000))", [.int(index)])
            }
        }
        await database.waitForCheckpoints()
        let size = { (file: String) in ((try? FileManager.default.attributesOfItem(atPath: file)[.size]) as? Int) ?? 0 }
        // Without checkpoints every frame would still be in the log (the commit hook replaced SQLite's
        // automatic checkpoint) and the database file would hold only the schema.
        #expect(size(path) >= rows * 4000)
        #expect(size(path + "-wal") < rows * 4096 / 2)
        let reopened = try SQLiteDatabase(path: path)
        #expect(try reopened.runBlocking { db in try db.queryOne("SELECT COUNT(*) FROM blobs")!.int(0) } == rows)
    }

    @Test func idleJobWorkersWakeWhenAJobIsEnqueued() async throws {
        let queue = SQLiteJobQueue(database: try await temporaryDatabase())
        let scope = MemoryScope(tenant: "t", userID: "u")
        let woken = Flag()
        // The wait's own timeout is far past the 120 s guard below, so only the enqueue can end it in time.
        let waiter = Task {
            await queue.waitForWork(timeout: .seconds(600))
            woken.set()
        }
        try await Task.sleep(for: .milliseconds(20))
        let job = JobRecord(
            id: UUID().uuidString.lowercased(), scope: scope, kind: "add", payload: "{}", maxAttempts: 1,
            createdAt: Date(), updatedAt: Date())
        _ = try await queue.enqueue(job, idempotencyKey: nil)
        try await QueueGate.until("the waiting worker wakes") { woken.isSet }
        await waiter.value
        // A signal while nobody waits is kept for the next wait (the job completing, here).
        let claimed = try #require(try await queue.claim(now: Date(), lease: .seconds(60)))
        try await queue.complete(id: claimed.id, attempt: claimed.attempts, result: "{}", now: Date())
        let started = ContinuousClock.now
        await queue.waitForWork(timeout: .seconds(600))
        #expect(ContinuousClock.now - started < .seconds(300))
    }
}
