import ArgumentParser

/// `pika serve`: the memory service on embedded defaults (SQLite + in-process workers) until SIGTERM/SIGINT.
///
/// Every setting is a `PIKA_*` environment variable and also a flag, which wins.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the memory service (HTTP API and job workers).")

    @OptionGroup var service: ServiceOptions
    @Option(help: "Bind host ($PIKA_HOST, default 127.0.0.1).") var host: String?
    @Option(help: "Bind port ($PIKA_PORT, default 8080).") var port: String?
    @Option(name: .customLong("api-key"), help: "Bootstrap admin key of tenant default ($PIKA_API_KEY).") var apiKey: String?
    @Option(name: .customLong("rate-limit"), help: "Requests/s per API key ($PIKA_RATE_LIMIT, default 1000).") var rateLimit: String?
    @Option(name: .customLong("l2-refresh-seconds"), help: "Proactive L2 summary refresh period ($PIKA_L2_REFRESH_SECONDS, default 1800).")
    var l2RefreshSeconds: String?
    @Option(name: .customLong("scan-copies"), help: "Seal segments with an int8 scan copy: on or off ($PIKA_SCAN_COPIES, default off).")
    var scanCopies: String?

    func run() async throws {
        let startup = try await ServiceStartup.start(
            label: "pika",
            flags: service.flags + [
                ("PIKA_HOST", host), ("PIKA_PORT", port), ("PIKA_API_KEY", apiKey), ("PIKA_RATE_LIMIT", rateLimit),
                ("PIKA_L2_REFRESH_SECONDS", l2RefreshSeconds), ("PIKA_SCAN_COPIES", scanCopies),
            ])
        let configuration = startup.configuration
        startup.logger.info(
            "pika serve listening",
            metadata: [
                "host": "\(configuration.host)", "port": "\(configuration.port)", "data_dir": "\(configuration.dataDirectory)",
            ])
        try await startup.server.application.runService()
    }
}
