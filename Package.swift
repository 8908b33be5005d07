// swift-tools-version: 6.2
import PackageDescription

// Linux only: PikaStorage, PikaEngine and the CLI call Glibc (mmap, fsync, posix_fadvise, readdir)
// directly, and CI builds and tests nowhere else. Say so here rather than fail deep in a compile.
#if !os(Linux)
    #error("Pika Memory builds on Linux only (its storage calls Glibc directly)")
#endif

let package = Package(
    name: "pika-memory",
    products: [
        .executable(name: "pika", targets: ["pika"]),
        .library(name: "PikaEngine", targets: ["PikaEngine"]),
        .library(name: "PikaEmbeddings", targets: ["PikaEmbeddings"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // HTTP client of the remote embedding and LLM providers (ProviderHTTPClient).
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // System libraries, each behind a shim with a module map. OpenBLAS is not one: the engine opens
        // libopenblas.so.0 on first use (CHNSW/src/blas_loader.c), so pika does not link it.
        // libpq's header only: PikaPostgres opens libpq.so.5 itself on first connection (LibPQ.swift).
        .systemLibrary(
            name: "CLibPQ", path: "Sources/CLibPQ",
            providers: [.apt(["libpq-dev"])]),
        // hiredis.pc carries -D_FILE_OFFSET_BITS=64, which SwiftPM drops with a warning; link it directly.
        .systemLibrary(
            name: "CHiredis", path: "Sources/CHiredis",
            providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(
            name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),

        // The vector engine in C11. SIMD kernels pick their ISA at run time, so no -march here.
        .target(
            name: "CHNSW",
            path: "CHNSW",
            exclude: ["tests", "Makefile"],
            sources: ["src"],
            publicHeadersPath: "include",
            cSettings: [
                .enableWarning("all"), .enableWarning("extra"),
                // No unsafe flags, so the libraries can be a dependency: release builds compile C at SwiftPM's
                // -O2, which measured no slower than -O3 on the engine benchmark (docs/benchmarks.md,
                // "Engine at -O2"). Debug builds compile it at -O0.
            ],
            linkerSettings: [.linkedLibrary("pthread"), .linkedLibrary("m"), .linkedLibrary("dl")]
        ),
        .target(name: "PikaEngine", dependencies: ["CHNSW"]),
        .target(
            name: "PikaEmbeddings",
            dependencies: [
                "PikaEngine", "CHNSW",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Keyword (BM25) and hybrid retrieval; offline evaluation (pika eval).
        .target(name: "PikaRetrieval"),
        .target(
            name: "PikaEvaluation",
            dependencies: [
                "PikaRetrieval", "PikaEmbeddings", "PikaMemory", "PikaRelational", "PikaDataStore",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "PikaStorage", dependencies: ["PikaEngine", "CHNSW"]),
        // The memory pipeline (extraction, consolidation, search, cache tiers) behind store protocols.
        .target(
            name: "PikaMemory",
            dependencies: [
                "PikaEngine", "PikaEmbeddings", "PikaRetrieval",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .target(
            name: "PikaRelational",
            dependencies: ["CSQLite", "PikaEngine", "PikaMemory", .product(name: "Logging", package: "swift-log")]
        ),
        // One data directory: memories (payload + vector) in the segment store, history and scopes in SQLite.
        .target(
            name: "PikaDataStore",
            dependencies: ["PikaMemory", "PikaStorage", "PikaRelational", .product(name: "Logging", package: "swift-log")]
        ),
        // Production back-ends: PostgreSQL stores through libpq, Redis cache tiers through hiredis.
        .target(
            name: "PikaPostgres",
            dependencies: ["CLibPQ", "PikaEngine", "PikaMemory", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "PikaRedis",
            dependencies: ["CHiredis", "PikaEngine", "PikaMemory", .product(name: "Logging", package: "swift-log")]
        ),
        .target(
            name: "PikaService",
            dependencies: [
                "PikaMemory", "PikaRelational", "PikaDataStore", "PikaStorage", "PikaEmbeddings", "PikaPostgres", "PikaRedis",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "pika",
            dependencies: [
                "PikaEngine",
                "PikaEmbeddings",
                "PikaRetrieval", "PikaEvaluation",
                "PikaStorage",
                "PikaService", "PikaMemory", "PikaRelational", "PikaDataStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "PikaEngineTests", dependencies: ["PikaEngine", "PikaTestSupport"]),
        .testTarget(name: "PikaStorageTests", dependencies: ["PikaStorage", "PikaEngine", "StorageCrashWriter", "PikaTestSupport"]),
        // Test helper: a child process the storage crash tests SIGKILL mid-write.
        .executableTarget(name: "StorageCrashWriter", dependencies: ["PikaStorage", "PikaEngine"], path: "Tests/StorageCrashWriter"),
        // libFuzzer targets of the storage file parsers (scripts/fuzz.sh); a corpus replayer otherwise.
        .executableTarget(name: "StorageFuzz", dependencies: ["PikaStorage"], path: "Tests/StorageFuzz"),
        // Storage benchmarks (docs/benchmarks.md, "Storage").
        .executableTarget(name: "StorageBench", dependencies: ["PikaStorage", "PikaEngine"], path: "Benchmarks/storage/StorageBench"),
        // Test-only support: a PostgreSQL and Redis of a test's own, for the tests that stop them; child processes;
        // the `.blockingWork` trait that keeps blocking tests off the cooperative pool.
        .target(name: "PikaTestSupport", path: "Tests/PikaTestSupport"),
        .testTarget(name: "PikaTestSupportTests", dependencies: ["PikaTestSupport"]),
        .testTarget(name: "PikaCLITests", dependencies: ["PikaEngine", "PikaEmbeddings", "pika", "PikaTestSupport"]),
        .testTarget(name: "PikaMemoryTests", dependencies: ["PikaMemory", "PikaRelational", "PikaEmbeddings", "PikaTestSupport"]),
        .testTarget(
            name: "PikaDataStoreTests",
            dependencies: ["PikaDataStore", "PikaMemory", "PikaRelational", "PikaStorage", "PikaEmbeddings", "PikaTestSupport"]
        ),
        .testTarget(
            name: "PikaServiceTests",
            dependencies: [
                "PikaService", "PikaMemory", "PikaRelational", "PikaDataStore", "PikaStorage", "PikaEmbeddings", "PikaPostgres",
                "PikaRedis", "pika",
                "PikaTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            // Read through #filePath: a data directory written by an earlier release (LegacyMigrationTests).
            exclude: ["Fixtures"]
        ),
        // Store contract suites: each store protocol's behaviour, run against SQLite and PostgreSQL.
        .testTarget(name: "PikaStoreContractTests", dependencies: ["PikaMemory", "PikaRelational", "PikaPostgres"]),
        .testTarget(name: "PikaRedisTests", dependencies: ["PikaRedis", "PikaMemory", "PikaTestSupport"]),
        // Dockerfile, deploy/ manifests and the Grafana dashboard parse and name only exported metrics.
        .testTarget(
            name: "PikaDeploymentTests",
            dependencies: [
                // `pika`: built beside the tests so they can `ldd` it against the Dockerfile's packages.
                "PikaService", "PikaMemory", "PikaEmbeddings", "pika", "PikaTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(name: "PikaRetrievalTests", dependencies: ["PikaRetrieval", "PikaEngine"]),
        .testTarget(
            name: "PikaEvaluationTests", dependencies: ["PikaEvaluation", "PikaRetrieval", "PikaMemory", "PikaEmbeddings"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "PikaEmbeddingsTests", dependencies: ["PikaEmbeddings", "PikaTestSupport"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6],
    cLanguageStandard: .c11
)
