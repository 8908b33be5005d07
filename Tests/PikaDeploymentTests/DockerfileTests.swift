import Foundation
import PikaTestSupport
import Testing

@Suite("Dockerfile", .blockingWork)
struct DockerfileTests {
    let docker: DockerfileModel

    init() throws { docker = DockerfileModel(try RepositoryFile.text("Dockerfile")) }

    @Test func buildsOnASwift62OrLaterBookwormImageWithStaticRuntime() throws {
        #expect(docker.stages.count >= 2, "the Dockerfile must be multi-stage")
        let build = try #require(docker.stages.first { $0.image.hasPrefix("swift:") }, "no stage FROM an official swift: image")
        let tag = build.image.dropFirst("swift:".count)
        #expect(tag.hasSuffix("-bookworm"), "build image \(build.image) is not a bookworm one")
        let version = tag.split(separator: "-").first.map { $0.split(separator: ".").compactMap { Int($0) } } ?? []
        #expect(version.count >= 2 && (version[0], version[1]) >= (6, 2), "Package.swift needs Swift tools 6.2; \(build.image)")
        for package in ["libopenblas-dev", "libpq-dev", "libhiredis-dev", "libsqlite3-dev"] {
            #expect(build.aptPackages.contains(package), "build stage does not install \(package)")
        }
        let compile = build.all("RUN").first { $0.contains("swift build") } ?? ""
        for flag in ["-c release", "--product pika", "--static-swift-stdlib"] {
            #expect(compile.contains(flag), "the build stage's `swift build` lacks \(flag)")
        }
        let ignored = try RepositoryFile.text(".dockerignore").split(separator: "\n").map(String.init)
        for entry in [".build", "Package.resolved", "models", "data"] {
            #expect(ignored.contains(entry), ".dockerignore must leave out \(entry)")
        }
    }

    @Test func runtimeIsSlimDebianNonRootWithHealthcheckVolumeAndPort() throws {
        let runtime = try #require(docker.stages.last)
        #expect(runtime.image == "debian:bookworm-slim")
        let user = try #require(runtime.all("USER").last, "the runtime stage sets no USER")
        let name = user.split(separator: ":").first.map(String.init) ?? ""
        #expect(!["root", "0", ""].contains(name), "runs as \(user)")
        #expect(runtime.all("COPY").contains { $0.contains("--from=build") && $0.contains("/pika") })
        let health = try #require(runtime.all("HEALTHCHECK").first)
        #expect(DeploymentFiles.urlPaths(in: health) == ["/healthz"])
        #expect(runtime.all("EXPOSE").contains("8080"))
        #expect(!runtime.all("VOLUME").isEmpty)
        let environment = runtime.all("ENV").joined(separator: " ")
        #expect(environment.contains("PIKA_HOST=0.0.0.0"))
        #expect(environment.contains("PIKA_DATA_DIR=/var/lib/pika/data"))
        #expect(runtime.all("VOLUME").joined().contains("/var/lib/pika/data"))
    }

    /// Every shared library the built `pika` loads, apart from the Swift runtime (linked statically in the
    /// image), comes from a package the runtime stage installs or one of their dependencies.
    @Test func runtimeInstallsAPackageForEverySharedLibraryPikaLinks() throws {
        let runtime = try #require(docker.stages.last)
        let installed = try DebianLibraries.closure(of: runtime.aptPackages)
        let libraries = try DebianLibraries.linked(by: try DebianLibraries.builtExecutable())
        let system = libraries.filter { !$0.path.contains("/lib/swift/") }
        #expect(system.count >= 5, "ldd found only \(system.map(\.name))")
        for library in ["libhiredis.so.0.14", "libsqlite3.so.0"] {
            #expect(system.contains { $0.name == library }, "pika no longer links \(library): update this list and the Dockerfile")
        }
        // Opened at run time instead, so that loading them does not cost every process's start-up.
        for library in Self.openedAtRunTime {
            #expect(!system.contains { $0.name == library }, "pika links \(library) again: its start-up cost is back")
        }
        // Every HTTP client is AsyncHTTPClient: the binary no longer loads Foundation's URLSession and its libcurl.
        #expect(!system.contains { $0.name.hasPrefix("libcurl") || $0.name.contains("FoundationNetworking") }, "\(system.map(\.name))")
        for library in system {
            guard let package = try DebianLibraries.package(owning: library.path) else {
                Issue.record("no Debian package owns \(library.path) (\(library.name))")
                continue
            }
            #expect(installed.contains(package), "\(library.name) comes from \(package), which the runtime stage does not install")
        }
    }

    /// The libraries `pika` opens with `dlopen` when a feature needs them (`LibPQ.soname` for PostgreSQL;
    /// OpenBLAS for the engine's exact scans, CHNSW/src/blas_loader.c).
    static let openedAtRunTime = ["libpq.so.5", "libopenblas.so.0"]

    /// `ldd` cannot see a library opened at run time, so each is resolved by the loader's cache and its
    /// package, and the packages of the libraries it links in turn (OpenBLAS: libgfortran), must be
    /// installed by the runtime stage all the same. The binary must still name it, so this list follows the code.
    @Test func runtimeInstallsAPackageForEveryLibraryPikaOpensAtRunTime() throws {
        let runtime = try #require(docker.stages.last)
        let installed = try DebianLibraries.closure(of: runtime.aptPackages)
        let executable = try DebianLibraries.builtExecutable()
        for library in Self.openedAtRunTime {
            let named = try HostCommand.run("/usr/bin/grep", ["-qaF", library, executable])
            #expect(named.status == 0, "the built pika no longer names \(library): update openedAtRunTime and the Dockerfile")
            let path = try #require(try DebianLibraries.cached(soname: library), "the loader's cache has no \(library)")
            let linked = try DebianLibraries.linked(by: path).filter { !$0.path.contains("/lib/swift/") }
            for needed in [DebianLibraries.Library(name: library, path: path)] + linked {
                let package = try #require(try DebianLibraries.package(owning: needed.path), "no Debian package owns \(needed.path)")
                #expect(installed.contains(package), "\(needed.name) comes from \(package), which the runtime stage does not install")
            }
        }
    }
}
