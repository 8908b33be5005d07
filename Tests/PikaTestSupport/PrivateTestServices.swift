import Foundation

/// A PostgreSQL and a Redis of one test's own, started by `scripts/test-services.sh` in a new directory.
///
/// Tests that stop, restart or pause a server use these instead of the shared test servers, so the
/// suites running beside them in the same process never see the outage.
public struct PrivateTestServices: Sendable {
    /// The absolute path of `scripts/test-services.sh` (`$PIKA_TEST_SERVICES`).
    public let script: String
    /// The directory holding these servers' data, logs and state.
    public let directory: String
    /// `postgresql://pika@127.0.0.1:PORT/pika_test`.
    public let postgresURL: String
    /// `redis://127.0.0.1:PORT`.
    public let redisURL: String

    /// Starts both servers; fails naming the script when `PIKA_TEST_SERVICES` is not set.
    public static func start() async throws -> PrivateTestServices {
        guard let script = ProcessInfo.processInfo.environment["PIKA_TEST_SERVICES"], !script.isEmpty else {
            throw MissingTestServices()
        }
        let output = try await ScriptRunner.run(script, ["start"], servicesDirectory: nil)
        var exports: [String: String] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { exports[String(pair[0])] = String(pair[1]) }
        }
        guard let postgres = exports["PIKA_TEST_POSTGRES_URL"], let redis = exports["PIKA_TEST_REDIS_URL"],
            let directory = exports["PIKA_TEST_SERVICES_DIR"]
        else { throw ScriptFailed(arguments: ["start"], status: -1, output: String(output.suffix(3000))) }
        return PrivateTestServices(script: script, directory: directory, postgresURL: postgres, redisURL: redis)
    }

    /// Runs `start`, then `body`, then always `stop`.
    public static func with<T: Sendable>(_ body: (PrivateTestServices) async throws -> T) async throws -> T {
        let services = try await start()
        do {
            let result = try await body(services)
            await services.stop()
            return result
        } catch {
            await services.stop()
            throw error
        }
    }

    /// Runs a subcommand of the script on these servers: `stop-postgres`, `start-postgres`,
    /// `stop-redis`, `start-redis`.
    public func run(_ command: String) async throws {
        _ = try await ScriptRunner.run(script, [command], servicesDirectory: directory)
    }

    /// Stops both servers and removes their directory.
    public func stop() async {
        _ = try? await ScriptRunner.run(script, ["stop"], servicesDirectory: directory)
    }
}

/// The test servers' script is not known.
public struct MissingTestServices: Error, CustomStringConvertible {
    /// Creates the error.
    public init() {}

    /// What to run first.
    public var description: String {
        "PIKA_TEST_SERVICES is not set: start the test servers with `eval \"$(scripts/test-services.sh start)\"` and run the tests again"
    }
}

/// `scripts/test-services.sh` failed or could not be run.
public struct ScriptFailed: Error, CustomStringConvertible {
    /// The script's arguments.
    public let arguments: [String]
    /// Its exit status (-1 when it could not be started or its output was not understood).
    public let status: Int32
    /// The end of what it printed (stdout and stderr), which says why.
    public let output: String

    /// Creates the error.
    public init(arguments: [String], status: Int32, output: String = "") {
        self.arguments = arguments
        self.status = status
        self.output = output
    }

    /// The command, its status and the end of its output.
    public var description: String {
        "test-services.sh \(arguments.joined(separator: " ")) failed with status \(status)"
            + (output.isEmpty ? "" : ": \(output.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
}

/// Runs the test services script to completion as a ``ChildProcess`` (its own reaper thread; never
/// Foundation's `Process.waitUntilExit`, which never returned once the script had daemonised Redis)
/// and returns what it printed (stdout and stderr; callers pick the `export` lines).
enum ScriptRunner {
    static func run(_ script: String, _ arguments: [String], servicesDirectory: String?) async throws -> String {
        var environment = ProcessInfo.processInfo.environment
        // Without a directory `start` makes a new set rather than reusing the shared one.
        environment["PIKA_TEST_SERVICES_DIR"] = servicesDirectory
        let child = try ChildProcess(name: "test-services", executable: script, arguments: arguments, environment: environment)
        try await child.waitForExit(within: .seconds(120))
        guard child.exitCode == 0 else {
            throw ScriptFailed(arguments: arguments, status: child.exitCode ?? -1, output: child.logTail)
        }
        return child.log
    }
}
