import ArgumentParser
import Foundation
import PikaMemory
import PikaRelational
import PikaService

/// `--data-dir D --tenant T --user U`: one user of a service data directory (export and import).
struct UserDataOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory of `pika serve` ($PIKA_DATA_DIR, default ./data).")
    var dataDirectory: String?
    @Option(help: "Tenant the user lives in (an API key's tenant; the bootstrap key's is `default`).") var tenant: String
    @Option(help: "User id inside the tenant.") var user: String

    func validate() throws {
        guard APIKeys.isValidTenant(tenant) else { throw ValidationError("--tenant must be 1-64 of letters, digits, _-.:@") }
        guard Identifiers.isValid(user) else { throw ValidationError("--user must be 1-128 of letters, digits, _-.:@") }
    }

    /// The data directory: the flag, else `$PIKA_DATA_DIR`, else `./data`.
    var directory: String { dataDirectory ?? ProcessInfo.processInfo.environment["PIKA_DATA_DIR"] ?? "./data" }

    /// Whose memories.
    var scope: MemoryScope { MemoryScope(tenant: tenant, userID: user) }

    /// The data directory's database. Without `create`, a directory without one is an error (exit 2).
    func openDatabase(create: Bool = false) throws -> SQLiteDatabase {
        let path = directory + "/pika.sqlite"
        if create {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } else if !FileManager.default.fileExists(atPath: path) {
            throw fail("\(directory) is not a service data directory (no pika.sqlite)", status: 2)
        }
        return try RelationalSchema.open(path: path)
    }
}
