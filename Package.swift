// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "pika-memory",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pika", targets: ["pika"]),
        .library(name: "PikaEngine", targets: ["PikaEngine"]),
        .library(name: "PikaEmbeddings", targets: ["PikaEmbeddings"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2")
    ],
    targets: [
        // System libraries, each behind a shim with a module map.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", pkgConfig: "libpq",
                       providers: [.apt(["libpq-dev"])]),
        // hiredis.pc carries -D_FILE_OFFSET_BITS=64, which SwiftPM drops with a warning; link it directly.
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis",
                       providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),

        // The vector engine in C11. SIMD kernels pick their ISA at run time, so no -march here.
        .target(
            name: "CHNSW",
            dependencies: ["CBLAS"],
            path: "CHNSW",
            exclude: ["tests", "Makefile"],
            sources: ["src"],
            publicHeadersPath: "include",
            cSettings: [.unsafeFlags(["-O3", "-std=c11", "-Wall", "-Wextra"])],
            linkerSettings: [.linkedLibrary("pthread"), .linkedLibrary("m")]
        ),
        .target(name: "PikaEngine", dependencies: ["CHNSW", "CBLAS"]),
        .target(name: "PikaEmbeddings", dependencies: ["CBLAS"]),
        .executableTarget(
            name: "pika",
            dependencies: [
                "PikaEngine",
                "PikaEmbeddings",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PikaEngineTests", dependencies: ["PikaEngine"]),
        .testTarget(name: "PikaCLITests", dependencies: ["PikaEngine", "pika"]),
        .testTarget(name: "PikaEmbeddingsTests", dependencies: ["PikaEmbeddings"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
