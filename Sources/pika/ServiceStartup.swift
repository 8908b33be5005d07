import ArgumentParser
import Foundation
import Logging
import PikaEngine
import PikaService

/// The start-up `pika serve` and `pika worker` share: settings from `PIKA_*` variables overridden by
/// flags, the JSON logger, and the service's assembly (``PikaServer/make(configuration:logger:embedder:extractor:)``).
///
/// Invalid or unknown settings and configuration refusals exit with status 2, naming every setting at
/// fault; any other start-up error exits with 1.
struct ServiceStartup {
    /// The resolved settings.
    let configuration: ServiceConfiguration
    /// The assembled service (stores, tiers, workers, router).
    let server: PikaServer
    /// The command's logger (JSON lines on stdout).
    let logger: Logger

    /// Resolves the settings (`flags` pairs a variable name with its flag's value, which wins when set),
    /// runs the command's own `check`, installs the JSON logger and builds the service.
    static func start(
        label: String, flags: [(String, String?)], role: ProcessRole = .owner,
        check: (ServiceConfiguration) throws -> Void = { _ in }
    ) async throws -> ServiceStartup {
        // Requests and jobs run concurrently, so each BLAS call (tenant scans, MiniLM) stays on its
        // caller's thread: with OpenBLAS's own pool the idle workers spin in sched_yield, which was
        // 30% of the server's CPU under the service load benchmark (docs/benchmarks-archive.md,
        // "Service load").
        BLASThreads.set(1)
        // The engine opens OpenBLAS on its first exact scan; a server opens it now, so a machine without it
        // refuses to start with the library's name instead of failing searches later.
        do throws(EngineError) {
            try BLASThreads.load()
        } catch {
            throw fail(error.message, status: 1)
        }
        var overrides: [String: String] = [:]
        for case (let name, let value?) in flags { overrides[name] = value }
        let environment = ProcessInfo.processInfo.environment
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.resolve(environment: environment, overrides: overrides)
        } catch {
            throw fail(error.description, status: 2)
        }
        try check(configuration)
        let level = environment["PIKA_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: label)
        do {
            let server = try await PikaServer.make(configuration: configuration, logger: logger, role: role)
            return ServiceStartup(configuration: configuration, server: server, logger: logger)
        } catch let error as ConfigurationError {
            throw fail(error.description, status: 2)
        } catch {
            throw fail("cannot start: \(error)", status: 1)
        }
    }
}
