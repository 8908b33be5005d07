import Foundation

/// Runs `body` on a thread of its own and returns what it returns (or throws), so that blocking setup
/// in an async test (opening SQLite with its fsyncs, filling a store) never holds one of the cooperative
/// pool's threads, of which there are only as many as cores.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}
