import ArgumentParser
import Foundation
import Logging
import PikaDataStore
import PikaMemory
import PikaRelational

/// `pika export --data-dir D --tenant T --user U [--out FILE]`: a user's memories as JSONL, the
/// format of `GET /v1/users/{id}/export`, oldest first. Reads the database only; safe while the
/// service runs. With `--out`, the file appears complete or not at all.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a user's memories as JSONL (GET /v1/users/{id}/export's format).")

    @OptionGroup var options: UserDataOptions
    @Option(help: "Output file (default: standard output).") var out: String?

    func run() async throws {
        let database = try options.openDatabase()
        // The segment store opened read-only: no lock, so this works while the service runs. A
        // directory the service has not opened since the upgrade still has its memories in SQLite.
        let store: any MemoryRecordStore
        if SegmentMemoryStore.exists(serviceDirectory: options.directory) {
            store = try await SegmentMemoryStore.openReadOnly(
                serviceDirectory: options.directory, database: database, logger: Logger(label: "pika-export"))
        } else {
            store = SQLiteMemoryStore(database: database)
        }
        let records = try await store.allRecords(scope: options.scope)
        let progress = Progress("export", total: records.count)
        var text = ""
        for (index, record) in records.enumerated() {
            text += try ExportLine(record: record).jsonLine() + "\n"
            if index % 1000 == 999 { progress.update(index + 1) }
        }
        progress.update(records.count)
        if let out {
            // Written beside the target and renamed over it, so a failed export leaves no partial file.
            let temporary = out + ".partial-\(getpid())"
            do {
                try Data(text.utf8).write(to: URL(fileURLWithPath: temporary))
                guard rename(temporary, out) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw fail("cannot write \(out): \(error.localizedDescription)", status: 1)
            }
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
        FileHandleStderr.write("pika: exported \(records.count) memories of \(options.scope)\n")
    }
}
