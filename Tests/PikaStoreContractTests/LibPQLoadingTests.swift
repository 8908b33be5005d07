@testable import PikaPostgres
import Testing

/// libpq is opened on the first connection rather than linked, so its absence must read as a setup error.
@Suite("libpq loading")
struct LibPQLoadingTests {
    @Test("the installed libpq loads and a connection through it works")
    func loadsTheInstalledLibrary() throws {
        _ = try LibPQ.loaded()
        let connected = try PostgresConnection(url: try testPostgresURL())
        #expect(connected.isHealthy)
        #expect(try connected.query("SELECT 40 + 2").rows.first?.int(0) == 42)
        let refused = #expect(throws: PostgresError.self) { try PostgresConnection(url: "postgresql://127.0.0.1:1/none") }
        #expect(refused?.kind == .unavailable && refused?.message.contains("cannot connect") == true)
    }

    @Test("a missing library is a configuration error that names it and its Debian package")
    func missingLibraryIsAConfigurationError() {
        let error = #expect(throws: PostgresError.self) { try LibPQ(opening: "libpq-does-not-exist.so.5") }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("libpq-does-not-exist.so.5") == true)
        #expect(error?.message.contains("libpq5") == true)
        #expect(error?.isUnavailable == false)
    }
}
