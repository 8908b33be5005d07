import ArgumentParser
import PikaService
import ServiceLifecycle

/// `pika worker`: job workers in their own process, for deployments with PostgreSQL.
///
/// Workers claim jobs from the PostgreSQL queue (`FOR UPDATE SKIP LOCKED`, woken by `NOTIFY`), run
/// the slow part of each (extraction, embedding) and hand the prepared writes to the `pika serve`
/// that owns the data directory, through its control channel (`POST /internal/v1/commit`): one
/// process writes the segment store, and its searches see each write at once. Settings are the same
/// `PIKA_*` variables and flags as `pika serve`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run job workers as a separate process (needs PIKA_POSTGRES_URL; shares the service's data directory).")

    @OptionGroup var service: ServiceOptions

    func run() async throws {
        let startup = try await ServiceStartup.start(label: "pika.worker", flags: service.flags, role: .worker) { configuration in
            guard configuration.postgresURL != nil else {
                throw fail(
                    "pika worker needs PIKA_POSTGRES_URL (or --postgres-url): separate worker processes share "
                        + "the PostgreSQL job queue; on embedded defaults pika serve runs its workers itself", status: 2)
            }
            guard configuration.workers > 0 else { throw fail("PIKA_WORKERS must be at least 1 for pika worker", status: 2) }
        }
        let configuration = startup.configuration
        let deps = startup.server.dependencies
        // The same assembly as `pika serve` (stores, tiers, write observers); only the workers run.
        let workers = JobWorkerService(
            runner: deps.runner, count: configuration.workers, idleDelay: deps.backends.workerIdleWait, logger: startup.logger)
        startup.logger.info(
            "pika worker running",
            metadata: [
                "workers": "\(configuration.workers)", "data_dir": "\(configuration.dataDirectory)",
                "job_lease_seconds": "\(configuration.jobLeaseSeconds)",
            ])
        let group = ServiceGroup(
            configuration: .init(services: [workers], gracefulShutdownSignals: [.sigterm, .sigint], logger: startup.logger))
        try await group.run()
    }
}
