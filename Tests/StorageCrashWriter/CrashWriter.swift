import Foundation
import PikaEngine
import PikaStorage

// A test helper for the storage crash tests: writes to a data directory forever and
// appends one line to an acknowledgement file after each write returns. The test
// SIGKILLs it at random moments, reopens the directory and checks every acknowledged
// write. Usage: StorageCrashWriter MODE DIR ACKFILE CYCLE
//   MODE write     upserts, sealing every 150 records
//        compact   upserts and deletes, with compaction running in a loop beside them
//        snapshot  upserts, with snapshots (DIR/../snap-CYCLE-N) in a loop beside them
#if canImport(Glibc)
    import Glibc
#endif

@main
struct CrashWriter {
    static func say(_ fd: Int32, _ line: String) {
        var text = line + "\n"
        text.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
    }

    /// The vector of record number n: deterministic, so the test can recompute it.
    static func crashVector(_ n: Int) -> [Float] {
        (0..<16).map { i in Float(sin(Double(n * 31 + i * 7) * 0.37)) + (i == n % 16 ? 2 : 0) }
    }

    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 5 else {
            say(2, "usage: StorageCrashWriter write|compact|snapshot DIR ACKFILE CYCLE")
            exit(2)
        }
        let mode = arguments[1]
        let directory = arguments[2]
        let cycle = arguments[4]
        let ackFD = open(arguments[3], O_WRONLY | O_CREAT | O_APPEND, 0o644)

        var options = OpenOptions()
        options.sealThreshold = mode == "write" ? 150 : 100
        let store =
            FileManager.default.fileExists(atPath: directory + "/MANIFEST")
            ? try DataDirectory.open(at: directory, options: options)
            : try DataDirectory.create(
                at: directory, configuration: CollectionConfiguration(dimension: 16, metric: .l2), options: options)
        say(ackFD, "opened")

        if mode == "compact" || mode == "snapshot" {
            let background = Thread {
                var round = 0
                while true {
                    round += 1
                    do {
                        if mode == "compact" {
                            try store.compact()
                        } else {
                            let file = directory + "-snap-\(cycle)-\(round)"
                            try store.snapshot(to: file)
                            say(ackFD, "snapshot \(file)")
                        }
                    } catch {
                        say(2, "background: \(error)")
                    }
                    usleep(20_000)
                }
            }
            background.start()
        }

        var n = 0
        while true {
            let id = "c\(cycle)-\(n)"
            let record = StoredRecord(
                id: id, tenant: UInt32(n % 5), userID: "u\(n % 5)", text: "memory \(id)", createdAt: Int64(n),
                updatedAt: Int64(n))
            try store.upsert(record, vector: crashVector(n))
            say(ackFD, "put \(id) \(n)")
            if mode == "compact" && n % 4 == 3 {
                let victim = "c\(cycle)-\(n - 2)"
                say(ackFD, "try-del \(victim)")
                try store.delete(id: victim)
                say(ackFD, "del \(victim)")
            }
            n += 1
        }
    }
}
