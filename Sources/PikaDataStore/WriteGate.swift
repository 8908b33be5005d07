/// Lets any number of writes through at once, or one exclusive step (a seal) alone.
///
/// The memory store logs a change and then projects its history note into SQLite. A seal retires
/// the write-ahead log that holds the notes, so it must never run between those two steps: writes
/// pass the gate shared, seals exclusive. A waiting exclusive step stops new writes from entering,
/// so a steady stream of writes cannot postpone a seal for ever.
actor WriteGate {
    private var writers = 0
    private var exclusive = false
    private var waitingExclusive: [CheckedContinuation<Void, Never>] = []
    private var waitingShared: [CheckedContinuation<Void, Never>] = []

    /// Runs `body` beside other shared bodies, never during an exclusive one.
    func shared<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if exclusive || !waitingExclusive.isEmpty {
            await withCheckedContinuation { waitingShared.append($0) }
        } else {
            writers += 1
        }
        defer { leaveShared() }
        return try await body()
    }

    /// Runs `body` once every shared body that entered before it has left, alone.
    func exclusive<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if exclusive || writers > 0 {
            await withCheckedContinuation { waitingExclusive.append($0) }
        } else {
            exclusive = true
        }
        defer { leaveExclusive() }
        return try await body()
    }

    private func leaveShared() {
        writers -= 1
        if writers == 0 { handOver() }
    }

    private func leaveExclusive() {
        exclusive = false
        handOver()
    }

    /// Admits the next exclusive waiter, else every shared waiter (the caller holds nothing).
    private func handOver() {
        if !waitingExclusive.isEmpty {
            exclusive = true
            waitingExclusive.removeFirst().resume()
            return
        }
        writers += waitingShared.count
        for waiter in waitingShared { waiter.resume() }
        waitingShared.removeAll()
    }
}
