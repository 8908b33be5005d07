import Foundation
import Synchronization

/// A process a test starts: spawned with `posix_spawn`, its stdout and stderr in one log file, reaped by
/// a thread of its own blocked in `waitpid` (never on Swift's cooperative pool; never Foundation's
/// `Process.waitUntilExit`, which hung the whole suite once).
///
/// Tests kill their children in a `defer` (``kill9()``), so a failing test leaves no process behind.
public final class ChildProcess: Sendable {
    /// A short name for messages (`serve`, `worker-a`).
    public let name: String
    /// The process id.
    public let pid: pid_t
    /// Where the child's stdout and stderr go.
    public let logPath: String
    /// The raw `waitpid` status once the child has exited.
    private let waitStatus = Mutex<Int32?>(nil)

    /// Starts `executable` with exactly `environment`.
    public init(name: String, executable: String, arguments: [String], environment: [String: String]) throws {
        self.name = name
        logPath = NSTemporaryDirectory() + "pika-\(name)-\(UUID().uuidString).log"
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for pointer in argv + envp { free(pointer) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var spawned: pid_t = 0
        let result = posix_spawn(&spawned, executable, &actions, nil, argv, envp)
        guard result == 0 else { throw ChildProcessFailure("\(name): posix_spawn \(executable) failed with errno \(result)") }
        pid = spawned
        Thread.detachNewThread { [self] in
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            waitStatus.withLock { $0 = status }
        }
    }

    /// The log goes with the last reference (a failing test has copied its end into the failure).
    deinit { try? FileManager.default.removeItem(atPath: logPath) }

    /// Whether the child has exited (and been reaped).
    public var hasExited: Bool { waitStatus.withLock { $0 != nil } }

    /// The exit code of a child that exited normally; nil while running or when a signal ended it.
    public var exitCode: Int32? {
        waitStatus.withLock { status in
            guard let status, status & 0x7f == 0 else { return nil }
            return (status >> 8) & 0xff
        }
    }

    /// How the child ended, for failure messages: its exit code or the signal that ended it.
    public var exitDescription: String {
        waitStatus.withLock { status in
            guard let status else { return "still running" }
            return status & 0x7f == 0 ? "exit code \((status >> 8) & 0xff)" : "killed by signal \(status & 0x7f)"
        }
    }

    /// Sends SIGKILL unless the child is gone already; its reaper thread collects it.
    public func kill9() {
        if !hasExited { kill(pid, SIGKILL) }
    }

    /// Waits until the child exits; fails, with its log, after `timeout`.
    public func waitForExit(within timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !hasExited {
            guard ContinuousClock.now < deadline else { throw ChildProcessFailure("\(name) did not exit within \(timeout)", child: self) }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits until the log contains `text`; fails, with the log, if the child exits first or `timeout` passes.
    public func waitForLog(_ text: String, within timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while !log.contains(text) {
            guard !hasExited else { throw ChildProcessFailure("\(name) exited before logging '\(text)'", child: self) }
            guard ContinuousClock.now < deadline else {
                throw ChildProcessFailure("\(name) did not log '\(text)' within \(timeout)", child: self)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Everything the child wrote so far.
    public var log: String { String(decoding: FileManager.default.contents(atPath: logPath) ?? Data(), as: UTF8.self) }

    /// The end of the log, for failure messages.
    public var logTail: String { String(log.suffix(3000)) }
}

/// A child process did not do what the test waited for; the message carries the end of its log.
public struct ChildProcessFailure: Error, CustomStringConvertible {
    /// What went wrong, then the end of the child's log.
    public let description: String

    /// A failure of `child` (its log's end is appended), or of no child in particular.
    public init(_ message: String, child: ChildProcess? = nil) {
        description =
            message
            + (child.map { "\n--- \($0.name) (\($0.exitDescription)) log (\($0.logPath)), last lines ---\n\($0.logTail)" } ?? "")
    }
}
