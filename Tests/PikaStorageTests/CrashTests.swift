import Foundation
import PikaEngine
import PikaTestSupport
import Testing

@testable import PikaStorage

/// SIGKILL a writer at random moments, reopen, check every acknowledged write.
@Suite("Crash tests: kill -9 during writes, compaction and snapshots", .serialized, .blockingWork)
struct CrashTests {
    static var helper: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("StorageCrashWriter").path) && dir.path != "/" {
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("StorageCrashWriter")
    }

    /// The vector the helper writes for record number n (same formula).
    static func crashVector(_ n: Int) -> [Float] {
        (0..<16).map { i in Float(sin(Double(n * 31 + i * 7) * 0.37)) + (i == n % 16 ? 2 : 0) }
    }

    static let cycles = Int(ProcessInfo.processInfo.environment["PIKA_CRASH_CYCLES"] ?? "") ?? 20

    func run(mode: String) throws {
        let dir = try TempDir()
        let data = dir.sub("data")
        var generator = SystemRandomNumberGenerator()
        var present: [String: Int] = [:]  // acknowledged and not (possibly) deleted -> number
        var deleted = Set<String>()  // acknowledged deletes
        var snapshots: [String] = []
        for cycle in 0..<Self.cycles {
            let ackPath = dir.sub("ack-\(cycle)")
            let process = Process()
            process.executableURL = Self.helper
            process.arguments = [mode, data, ackPath, String(cycle)]
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Wait until it has opened (recovery is not what we kill here), then a random moment.
            let opened = Date()
            while !((try? String(contentsOfFile: ackPath, encoding: .utf8))?.hasPrefix("opened") ?? false) {
                if Date().timeIntervalSince(opened) > 60 { break }
                if !process.isRunning { break }
                usleep(2000)
            }
            #expect(process.isRunning, "cycle \(cycle): the writer exited early (status \(process.terminationStatus))")
            usleep(UInt32.random(in: 20_000...250_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)

            let lines = ((try? String(contentsOfFile: ackPath, encoding: .utf8)) ?? "").split(separator: "\n")
            var tried = Set<String>()
            for line in lines {
                let parts = line.split(separator: " ")
                switch parts.first {
                case "put": present[String(parts[1])] = Int(parts[2])!
                case "try-del": tried.insert(String(parts[1]))
                case "del":
                    deleted.insert(String(parts[1]))
                    present[String(parts[1])] = nil
                case "snapshot": snapshots.append(String(parts[1]))
                default: break
                }
            }
            // An unacknowledged delete may or may not have happened.
            for id in tried where !deleted.contains(id) { present[id] = nil }

            let store = try DataDirectory.open(at: data)
            #expect(store.recovery.problems.allSatisfy { $0.message.contains("torn") }, "cycle \(cycle): \(store.recovery.problems)")
            for (id, n) in present {
                let record = store.record(id: id)
                #expect(record?.text == "memory \(id)", "cycle \(cycle): acknowledged \(id) missing")
                if record == nil { continue }
                _ = n
            }
            for id in deleted { #expect(store.record(id: id) == nil, "cycle \(cycle): deleted \(id) is back") }
            // The index answers: a stored vector finds its own record first.
            if let (id, n) = present.randomElement(using: &generator) {
                let hits = try store.search(Self.crashVector(n), options: RecordSearchOptions(k: 1, tenant: UInt32(n % 5)))
                // Records of different cycles share vectors (same n): any of them is a right answer.
                #expect(
                    hits.first?.record.id.split(separator: "-").last == id.split(separator: "-").last, "cycle \(cycle): search for \(id)")
                #expect(hits.first?.distance ?? 1 < 1e-4, "cycle \(cycle): search for \(id)")
            }
        }
        #expect(present.count > Self.cycles, "too few acknowledged writes to mean anything")
        let report = DataDirectory.verify(at: data)
        #expect(report.files.allSatisfy { $0.error == nil || $0.kind == "wal" }, "\(report.files.compactMap(\.error))")
        // Every snapshot that completed restores and verifies.
        for (i, snapshot) in snapshots.suffix(3).enumerated() {
            let target = dir.sub("restored-\(i)")
            try DataDirectory.restore(from: snapshot, to: target)
            #expect(DataDirectory.verify(at: target).isHealthy)
            _ = try DataDirectory.open(at: target)
        }
        for snapshot in snapshots { try? FileManager.default.removeItem(atPath: snapshot) }
        if mode == "snapshot" { #expect(!snapshots.isEmpty) }
    }

    @Test("kill -9 during writes and seals")
    func writes() throws { try run(mode: "write") }

    @Test("kill -9 during compaction with concurrent deletes")
    func compaction() throws { try run(mode: "compact") }

    @Test("kill -9 during snapshots")
    func snapshots() throws { try run(mode: "snapshot") }
}
