import Synchronization

/// A test hook that makes chosen appends to or fsyncs of the write-ahead log fail
/// (`OpenOptions.faults`; internal, reached from tests through `@testable import`).
///
/// Every append and every fsync of the log after open goes through ``WALGuard``, which asks
/// `inject` first; an errno it returns fails that call. An injected append failure writes the
/// first half of the bytes before failing, as a disk that fills up mid-record does.
struct WALFaults: Sendable {
    /// The calls that can be made to fail.
    enum Call: Sendable, Hashable {
        /// One append (one pwrite of a batch of records).
        case write
        /// One fsync of the log.
        case sync
    }

    /// Called before each append and fsync; returns the errno to fail it with, or nil.
    var inject: @Sendable (Call) -> Int32?

    /// No faults.
    static let none = WALFaults { _ in nil }

    /// Fails the calls of kind `call` whose 1-based number, counted from open, is in `numbers`.
    static func failing(_ call: Call, at numbers: Set<Int>, errno: Int32) -> WALFaults {
        let seen = CallCounter()
        return WALFaults { c in
            guard c == call else { return nil }
            return numbers.contains(seen.next()) ? errno : nil
        }
    }
}

/// A thread-safe count of calls.
final class CallCounter: Sendable {
    private let calls = Mutex(0)

    /// Calls counted so far.
    var count: Int { calls.withLock { $0 } }

    /// Counts one more call and returns its 1-based number.
    func next() -> Int {
        calls.withLock { n in
            n += 1
            return n
        }
    }
}
