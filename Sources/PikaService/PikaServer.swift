import Foundation
import Hummingbird
import Logging
import PikaEmbeddings
import PikaMemory
import PikaRelational
import Prometheus

/// Builds the memory service: stores in the data directory, the domain, the router and the workers.
public struct PikaServer {
    /// The shared dependencies.
    public let dependencies: ServiceDependencies
    /// The Hummingbird application (its services include the job workers).
    public let application: Application<RouterResponder<PikaRequestContext>>
    /// Every route as `METHOD /path/{param}` (OpenAPI spelling), sorted; docs/openapi.yaml must list the same.
    public let routes: [String]

    /// Opens the data directory and assembles the service. `embedder` overrides the configured one (tests).
    public static func make(
        configuration: ServiceConfiguration, logger: Logger, embedder: (any Embedder)? = nil,
        extractor: (any FactExtractor)? = nil
    ) async throws -> PikaServer {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let database = try RelationalSchema.open(path: configuration.dataDirectory + "/pika.sqlite")
        let embedder = try embedder ?? makeEmbedder(configuration)
        try await pinEmbedder(embedder, in: database)
        let extractor = try extractor ?? makeExtractor(configuration)
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            // 3 ms: issue 5's search target, so the server's own p95 can be read against it.
            .microseconds(250), .milliseconds(1), .milliseconds(2), .milliseconds(3), .milliseconds(5), .milliseconds(10), .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        factory.defaultValueHistogramBuckets = [0.1, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000, 10_000, 100_000, 1_000_000]
        let backends = try await StoreBackends.make(configuration, database: database, logger: logger)
        let keys = backends.keys
        if let bootstrap = configuration.bootstrapAPIKey { try await APIKeys.bootstrap(bootstrap, in: keys) }
        let records = SQLiteMemoryStore(database: database)
        // With PostgreSQL, `pika worker` processes may write to this data directory too: read the change
        // feed's position before the index load, and follow it from there (docs/architecture.md).
        let changesBeforeLoad = try await records.lastChange()
        let manager = try await MemoryManager(
            store: records, graph: backends.graph, embedder: embedder,
            extractor: extractor, decider: extractor as? LLMExtractor, metrics: MemoryMetrics(factory: factory), logger: logger)
        if configuration.postgresURL != nil { manager.followOtherWriters(startingAfter: changesBeforeLoad) }
        let jobs = backends.jobs
        var runner = JobRunner(queue: jobs, manager: manager, logger: logger)
        runner.lease = .seconds(configuration.jobLeaseSeconds)
        let search = try makeTieredSearch(
            configuration, manager: manager, summaries: backends.summaries,
            metrics: CacheMetrics(factory: factory), logger: logger)
        let dependencies = ServiceDependencies(
            manager: manager, jobs: jobs, runner: runner, keys: keys, database: database, registry: registry,
            metricsFactory: factory, configuration: configuration, logger: logger, search: search,
            backends: backends)

        let router = Router(context: PikaRequestContext.self)
        router.add(middleware: RequestMiddleware(factory: factory))
        router.add(middleware: AuthMiddleware(keys: keys, limiter: RateLimiter(rate: configuration.rateLimit)))
        HealthRoutes(deps: dependencies).register(on: router)
        MemoryRoutes(deps: dependencies).register(on: router)
        UserRoutes(deps: dependencies).register(on: router)
        JobRoutes(deps: dependencies).register(on: router)
        AdminRoutes(deps: dependencies).register(on: router)

        let routes = router.routes.map { route in
            let path = route.path.description.split(separator: "/", omittingEmptySubsequences: false).map { part in
                part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
            }.joined(separator: "/")
            return "\(route.method.rawValue) \(path)"
        }.sorted()
        var application = Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "pika"),
            logger: logger)
        if configuration.workers > 0 {
            application.addServices(JobWorkerService(
                runner: runner, count: configuration.workers, idleDelay: backends.workerIdleWait, logger: logger))
        }
        application.addServices(
            SummaryRefreshService(search: search, interval: .seconds(configuration.l2RefreshSeconds), logger: logger))
        application.addServices(KeywordIndexPrebuildService(manager: manager, logger: logger))
        return PikaServer(dependencies: dependencies, application: application, routes: routes)
    }

    /// Records `embedder` as the data directory's, or refuses one other than the recorded one
    /// (vectors of two models must never be mixed).
    public static func pinEmbedder(_ embedder: any Embedder, in database: SQLiteDatabase) async throws {
        let settings = SQLiteSettings(database: database)
        if let stored = try await settings.value("embedder"), stored != embedder.identity.description {
            throw ConfigurationError(problems: [
                "PIKA_EMBEDDER: the data directory was built with \(stored), not \(embedder.identity); use that embedder or a new PIKA_DATA_DIR"
            ])
        }
        try await settings.set("embedder", embedder.identity.description)
    }

    /// The configured embedder.
    public static func makeEmbedder(_ configuration: ServiceConfiguration) throws -> any Embedder {
        switch configuration.embedder {
        case .hashing: return try HashingEmbedder()
        case .minilm: return try MiniLMEmbedder(directory: configuration.modelDirectory)
        case .e5Small: return try E5Embedder()
        case .openai: return try RemoteEmbedder(configuration: try RemoteEmbedderConfiguration.fromEnvironment())
        }
    }

    /// The configured extractor.
    public static func makeExtractor(_ configuration: ServiceConfiguration) throws -> any FactExtractor {
        switch configuration.extractor {
        case .rules: return RuleExtractor()
        case .llm:
            guard let base = configuration.llmBaseURL.flatMap(URL.init(string:)), let model = configuration.llmModel else {
                throw ConfigurationError(problems: ["PIKA_EXTRACTOR: llm needs PIKA_LLM_BASE_URL and PIKA_LLM_MODEL"])
            }
            return LLMExtractor(configuration: LLMExtractorConfiguration(baseURL: base, model: model, apiKey: configuration.llmAPIKey))
        }
    }
}
