import Foundation
import Hummingbird
import Logging
import PikaDataStore
import PikaEmbeddings
import PikaMemory
import PikaRelational
import Prometheus

/// Builds the memory service: stores in the data directory, the domain, the router and the workers.
public struct PikaServer {
    /// The shared dependencies.
    public let dependencies: ServiceDependencies
    /// The Hummingbird application (its services include the job workers).
    public let application: Application<PikaResponder>
    /// Every route as `METHOD /path/{param}` (OpenAPI spelling), sorted; docs/openapi.yaml must list the same.
    public let routes: [String]
    /// The HTTP client of the configured remote embedder or LLM (nil when there is none); the
    /// application's ``ProviderClientService`` shuts it down when the application stops.
    public let providerClient: ProviderHTTPClient?

    /// Opens the data directory and assembles the service. `embedder` overrides the configured one (tests).
    /// A `.worker` process (`pika worker`) opens the memory store read-only and hands its writes to the
    /// owner (``RemoteWriteOwner``); it runs no maintenance and publishes no control channel.
    ///
    /// A configured remote embedder or LLM extractor gets an HTTP client of this service's own, which
    /// ``ProviderClientService`` shuts down once the job workers and the HTTP server have stopped.
    public static func make(
        configuration: ServiceConfiguration, logger: Logger, embedder: (any Embedder)? = nil,
        extractor: (any FactExtractor)? = nil, role: ProcessRole = .owner
    ) async throws -> PikaServer {
        let remote = (embedder == nil && configuration.embedder == .openai) || (extractor == nil && configuration.extractor == .llm)
        let providers = remote ? ProviderHTTPClient() : nil
        do {
            return try await assemble(
                configuration: configuration, logger: logger, embedder: embedder, extractor: extractor, role: role, providers: providers)
        } catch {
            try? await providers?.shutdown()  // never used: nothing to report
            throw error
        }
    }

    private static func assemble(
        configuration: ServiceConfiguration, logger: Logger, embedder: (any Embedder)?, extractor: (any FactExtractor)?,
        role: ProcessRole, providers: ProviderHTTPClient?
    ) async throws -> PikaServer {
        try FileManager.default.createDirectory(atPath: configuration.dataDirectory, withIntermediateDirectories: true)
        let database = try RelationalSchema.open(path: configuration.dataDirectory + "/pika.sqlite")
        // A half-converted directory holds vectors of two models: refused, naming the command that finishes it.
        try await Reembedding.requireNoConversion(in: configuration.dataDirectory, database: database)
        var embedder = try embedder ?? makeEmbedder(configuration, client: providers ?? .shared)
        if let window = configuration.queryBatchWindow { embedder = QueryBatchingEmbedder(embedder, window: window) }
        try await pinEmbedder(embedder, in: database)
        let extractor = try extractor ?? makeExtractor(configuration, client: providers ?? .shared)
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            // 3 ms: issue 5's search target, so the server's own p95 can be read against it.
            .microseconds(250), .milliseconds(1), .milliseconds(2), .milliseconds(3), .milliseconds(5), .milliseconds(10),
            .milliseconds(25),
            .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        factory.defaultValueHistogramBuckets = [0.1, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 1000, 10_000, 100_000, 1_000_000]
        let backends = try await StoreBackends.make(configuration, database: database, logger: logger)
        let keys = backends.keys
        if let bootstrap = configuration.bootstrapAPIKey { try await APIKeys.bootstrap(bootstrap, in: keys) }
        // Memories live in the data directory's segment store, which one process owns (writes);
        // `pika worker` processes read it without the lock and hand their writes to the owner.
        let records: SegmentMemoryStore
        switch role {
        case .owner:
            records = try await SegmentMemoryStore.open(
                serviceDirectory: configuration.dataDirectory, database: database, dimension: embedder.dimension,
                scanCopies: configuration.scanCopies, logger: logger)
        case .worker:
            guard SegmentMemoryStore.exists(serviceDirectory: configuration.dataDirectory) else {
                throw ConfigurationError(problems: [
                    "PIKA_DATA_DIR: no memory store in \(configuration.dataDirectory); start pika serve on it first"
                ])
            }
            records = try await SegmentMemoryStore.openReadOnly(
                serviceDirectory: configuration.dataDirectory, database: database, logger: logger)
        }
        let manager = try await MemoryManager(
            store: records, graph: backends.graph, embedder: embedder,
            extractor: extractor, decider: extractor as? LLMExtractor, metrics: MemoryMetrics(factory: factory), logger: logger)
        if role == .worker { manager.handWrites(to: RemoteWriteOwner(dataDirectory: configuration.dataDirectory)) }
        let jobs = backends.jobs
        var runner = JobRunner(queue: jobs, manager: manager, logger: logger)
        runner.lease = .seconds(configuration.jobLeaseSeconds)
        let search = try makeTieredSearch(
            configuration, manager: manager, summaries: backends.summaries,
            metrics: CacheMetrics(factory: factory), logger: logger)
        let dependencies = ServiceDependencies(
            manager: manager, jobs: jobs, runner: runner, keys: keys, database: database, registry: registry,
            metricsFactory: factory, configuration: configuration, logger: logger, search: search,
            backends: backends, memoryStore: role == .owner ? records : nil)

        let router = Router(context: PikaRequestContext.self)
        router.add(middleware: RequestMiddleware(factory: factory))
        router.add(middleware: AuthMiddleware(keys: keys, limiter: RateLimiter(rate: configuration.rateLimit)))
        HealthRoutes(deps: dependencies).register(on: router)
        MemoryRoutes(deps: dependencies).register(on: router)
        UserRoutes(deps: dependencies).register(on: router)
        JobRoutes(deps: dependencies).register(on: router)
        AdminRoutes(deps: dependencies).register(on: router)
        Mem0Routes(deps: dependencies).register(on: router)
        OpenAPIRoute().register(on: router)
        let localHost = configuration.host == "0.0.0.0" ? "127.0.0.1" : configuration.host
        let control = ControlChannel.make(url: "http://\(localHost):\(configuration.port)")
        ControlRoutes(deps: dependencies, channel: control).register(on: router)
        MemoryBrowserRoutes().register(on: router)

        let routes = router.routes.map { route in
            let path = route.path.description.split(separator: "/", omittingEmptySubsequences: false).map { part in
                part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
            }.joined(separator: "/")
            return "\(route.method.rawValue) \(Mem0Paths.publicPath(path))"
        }.filter { !$0.contains(" /internal/") }.sorted()  // local tools' routes, not the public API
        let dataDirectory = configuration.dataDirectory
        var application = Application(
            responder: PikaResponder(
                router: router.buildResponder(),
                methods: RouteMethods(router.routes.map { (path: $0.path.description, method: $0.method.rawValue) })),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "pika"),
            onServerRunning: { channel in
                // Published once listening, with the port actually bound (a configured 0 picks one).
                var published = control
                if let port = channel.localAddress?.port { published.url = "http://\(localHost):\(port)" }
                do {
                    try published.publish(in: dataDirectory)
                } catch {
                    logger.warning(
                        "cannot publish the control channel; pika snapshot create needs the service stopped",
                        metadata: ["error": "\(error)"])
                }
            },
            logger: logger)
        // First in the list, so stopped last (a service group stops in reverse order): after the HTTP
        // server and the job workers, whose calls to the providers it carries.
        if let providers { application.addServices(ProviderClientService(client: providers, logger: logger)) }
        if configuration.workers > 0 {
            application.addServices(
                JobWorkerService(
                    runner: runner, count: configuration.workers, idleDelay: backends.workerIdleWait, logger: logger))
        }
        application.addServices(
            SummaryRefreshService(search: search, interval: .seconds(configuration.l2RefreshSeconds), logger: logger))
        application.addServices(KeywordIndexPrebuildService(manager: manager, logger: logger))
        if role == .owner {
            application.addServices(SegmentMaintenanceService(store: records, logger: logger))
            application.addServices(
                JobRetentionService(jobs: jobs, retention: .seconds(configuration.jobRetentionHours * 3600), logger: logger))
        }
        return PikaServer(dependencies: dependencies, application: application, routes: routes, providerClient: providers)
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

    /// The configured embedder; a remote one sends its requests through `client`.
    public static func makeEmbedder(_ configuration: ServiceConfiguration, client: ProviderHTTPClient = .shared) throws -> any Embedder {
        switch configuration.embedder {
        case .hashing: return try HashingEmbedder()
        case .minilm: return try MiniLMEmbedder(directory: configuration.modelDirectory)
        case .e5Small: return try E5Embedder()
        case .openai: return try RemoteEmbedder(configuration: try RemoteEmbedderConfiguration.fromEnvironment(), client: client)
        }
    }

    /// The configured extractor; an LLM one sends its requests through `client`.
    public static func makeExtractor(
        _ configuration: ServiceConfiguration, client: ProviderHTTPClient = .shared
    ) throws
        -> any FactExtractor
    {
        switch configuration.extractor {
        case .rules: return RuleExtractor()
        case .llm:
            guard let base = configuration.llmBaseURL.flatMap(URL.init(string:)), let model = configuration.llmModel else {
                throw ConfigurationError(problems: ["PIKA_EXTRACTOR: llm needs PIKA_LLM_BASE_URL and PIKA_LLM_MODEL"])
            }
            return LLMExtractor(
                configuration: LLMExtractorConfiguration(baseURL: base, model: model, apiKey: configuration.llmAPIKey), client: client)
        }
    }
}

/// Which part a process plays on a data directory.
public enum ProcessRole: Sendable, Hashable {
    /// `pika serve`: owns (writes) the memory store and answers the API.
    case owner
    /// `pika worker`: runs jobs and hands their writes to the owner.
    case worker
}
