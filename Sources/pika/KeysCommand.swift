import ArgumentParser
import Foundation
import PikaMemory
import PikaRelational
import PikaService

/// `pika keys create --tenant T --role R`: creates an API key offline in the data directory's database
/// and prints it once (only its hash is stored).
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage API keys.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an API key and print it once.")

        @Option(name: .customLong("data-dir"), help: "Data directory ($PIKA_DATA_DIR, default ./data).") var dataDirectory: String?
        @Option(help: "Tenant the key's users live in.") var tenant: String
        @Option(help: "read | write | admin.") var role: String

        func validate() throws {
            guard APIKeys.isValidTenant(tenant) else { throw ValidationError("--tenant must be 1-64 of letters, digits, _-.:@") }
            guard APIKeyRole(rawValue: role) != nil else { throw ValidationError("--role must be read, write or admin") }
        }

        func run() async throws {
            let directory = dataDirectory ?? ProcessInfo.processInfo.environment["PIKA_DATA_DIR"] ?? "./data"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let database = try RelationalSchema.open(path: directory + "/pika.sqlite")
            let (key, record) = try await APIKeys.create(
                tenant: tenant, role: APIKeyRole(rawValue: role)!, in: SQLiteAPIKeyStore(database: database))
            print("{\"key\":\"\(key)\",\"id\":\"\(record.id)\",\"tenant\":\"\(record.tenant)\",\"role\":\"\(record.role.rawValue)\"}")
        }
    }
}
