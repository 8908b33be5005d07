import Foundation
import Testing

@testable import PikaStorage

/// The package's one directory listing and one monotonic clock (shared by the CLI, the group commit
/// and the benchmarks).
@Suite("POSIX helpers")
struct POSIXHelperTests {
    @Test("list names a directory's entries sorted, without . and ..; regularFileBytes sums its files")
    func listAndBytes() throws {
        let directory = NSTemporaryDirectory() + "pika-posix-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Data(count: 10).write(to: URL(fileURLWithPath: directory + "/b"))
        try Data(count: 32).write(to: URL(fileURLWithPath: directory + "/a"))
        try Data(count: 99).write(to: URL(fileURLWithPath: directory + "/sub/inner"))
        #expect(try POSIX.list(directory) == ["a", "b", "sub"])
        #expect(try POSIX.regularFileBytes(in: directory) == 42, "the subdirectory is not entered")
        #expect(throws: StorageError.self) { try POSIX.list(directory + "/missing") }
    }

    @Test("monotonicNow never goes back and advances across a sleep")
    func monotonic() throws {
        let before = monotonicNow()
        Thread.sleep(forTimeInterval: 0.01)
        let after = monotonicNow()
        #expect(after >= before + 10_000_000)
    }
}
