/// Group commit: the transactions that queued up while the write connection was busy run as one SQLite
/// transaction, each body inside a savepoint of its own, and share one COMMIT (one fsync).
///
/// With `synchronous=FULL` every COMMIT waits for the log to reach the disk; under concurrent writes
/// (requests accepting jobs while workers store memories) callers otherwise queue behind one fsync
/// each. Here a body that throws is rolled back to its savepoint, alone; the others stand. Every caller
/// is resumed only after the shared COMMIT returned (its work is durable), and a COMMIT that fails
/// fails every body that had succeeded. Bodies run in the order their callers queued, so a batch
/// commits exactly what running them one by one would have.
enum SQLiteGroupCommit {
    /// Runs `members` (in order) in as few transactions as possible on `connection`, then resumes
    /// each with its outcome; returns the number of transactions used. `transactionEnded` is called
    /// once per transaction before any of its members is resumed, so a count it keeps is current by
    /// the time a caller returns. Runs on the database's write queue.
    @discardableResult
    static func run(
        _ members: [any GroupCommitMember], on connection: SQLiteConnection, transactionEnded: () -> Void = {}
    ) -> Int {
        var remaining = members[...]
        var transactions = 0
        while !remaining.isEmpty {
            let (ran, failure) = runTransaction(remaining, on: connection)
            transactionEnded()
            for member in ran { member.finish(commitError: failure) }
            remaining = remaining.dropFirst(ran.count)
            transactions += 1
        }
        return transactions
    }

    /// Runs members from the front of `members` in one transaction until they are all done or SQLite
    /// ended the transaction on its own; returns those it ran (≥ 1) and the error that failed them
    /// all, if any. The caller resumes them.
    private static func runTransaction(
        _ members: ArraySlice<any GroupCommitMember>, on connection: SQLiteConnection
    ) -> (ran: [any GroupCommitMember], failure: (any Error)?) {
        do {
            try connection.execute("BEGIN IMMEDIATE")
        } catch {
            // Nothing ran: the first member fails with the reason, the rest get a transaction of their own.
            return ([members.first!], error)
        }
        var ran: [any GroupCommitMember] = []
        for member in members {
            ran.append(member)
            do {
                try connection.execute("SAVEPOINT grouped")
                let succeeded = member.run(connection)
                // Some errors (I/O, full disk, out of memory) make SQLite roll the whole transaction back
                // by itself: what the earlier members did is gone, so they fail too.
                guard connection.isInTransaction else {
                    let reason = SQLiteError(
                        resultCode: 0, message: "rolled back by SQLite with the rest of its group after another write's error")
                    return (ran, reason)
                }
                if !succeeded { try connection.execute("ROLLBACK TO grouped") }
                try connection.execute("RELEASE grouped")
            } catch {
                return abandon(ran, error, on: connection)
            }
        }
        do {
            try connection.execute("COMMIT")
        } catch {
            return abandon(ran, error, on: connection)
        }
        return (ran, nil)
    }

    /// Rolls the transaction back; every member that ran in it fails with `error`.
    private static func abandon(
        _ ran: [any GroupCommitMember], _ error: any Error, on connection: SQLiteConnection
    ) -> (ran: [any GroupCommitMember], failure: (any Error)?) {
        if connection.isInTransaction { try? connection.execute("ROLLBACK") }
        return (ran, error)
    }
}

/// One caller's transaction waiting for a group commit (see ``SQLiteGroupCommit``).
protocol GroupCommitMember: AnyObject, Sendable {
    /// Runs the body inside the group's transaction; false when it threw (its error is kept).
    func run(_ connection: SQLiteConnection) -> Bool
    /// Resumes the caller: with the body's error if it threw, else with `commitError` if the group's
    /// transaction failed, else with the body's value.
    func finish(commitError: (any Error)?)
}

/// A ``GroupCommitMember`` returning a `T`.
///
/// `@unchecked Sendable` is safe: `outcome` is written by ``run(_:)`` and read by ``finish(commitError:)``,
/// both called on the database's serial write queue only.
final class GroupCommitTransaction<T: Sendable>: GroupCommitMember, @unchecked Sendable {
    private let body: @Sendable (SQLiteConnection) throws -> T
    private let continuation: CheckedContinuation<T, any Error>
    private var outcome: Result<T, any Error>?

    init(body: @escaping @Sendable (SQLiteConnection) throws -> T, continuation: CheckedContinuation<T, any Error>) {
        self.body = body
        self.continuation = continuation
    }

    func run(_ connection: SQLiteConnection) -> Bool {
        let result = Result { try body(connection) }
        outcome = result
        if case .failure = result { return false }
        return true
    }

    func finish(commitError: (any Error)?) {
        switch (outcome, commitError) {
        case (.failure(let error)?, _): continuation.resume(throwing: error)
        case (_, let error?): continuation.resume(throwing: error)
        case (.success(let value)?, nil): continuation.resume(returning: value)
        case (nil, nil): continuation.resume(throwing: SQLiteError(resultCode: 0, message: "transaction body did not run"))
        }
    }
}
