import Foundation
import Logging
import PikaDataStore
import PikaEngine
import PikaMemory
import PikaRelational
import PikaService

/// `pika snapshot create|restore` on a service data directory (`pika.sqlite` beside `memories/`):
/// the snapshot is a folder with both, one point in time (``ServiceSnapshot``).
enum ServiceSnapshotCommands {
    /// Whether `directory` is the data directory of `pika serve`.
    static func isServiceDirectory(_ directory: String) -> Bool {
        FileManager.default.fileExists(atPath: directory + "/pika.sqlite")
    }

    /// Creates a snapshot folder at `out`: through the running service when it owns the directory
    /// (its control channel), else by opening the directory itself. Prints one JSON line.
    static func create(directory: String, out: String) async throws {
        let absolute = out.hasPrefix("/") ? out : FileManager.default.currentDirectoryPath + "/" + out
        let started = ContinuousClock.now
        if let answer = try await ControlClient.post(
            directory: directory, path: "/internal/v1/snapshot", body: #"{"out":\#(jsonString(absolute))}"#)
        {
            print(answer)
            return
        }
        guard SegmentMemoryStore.exists(serviceDirectory: directory) else {
            throw fail("\(directory) has no memory store yet (start pika serve on it once)", status: 2)
        }
        let database = try RelationalSchema.open(path: directory + "/pika.sqlite")
        var logger = Logger(label: "pika-snapshot")
        logger.logLevel = .error
        let store: SegmentMemoryStore
        do {
            store = try await SegmentMemoryStore.open(
                serviceDirectory: directory, database: database, dimension: nil, scanCopies: try IndexDirectory.scanCopiesSetting(),
                logger: logger)
        } catch let error as MemoryError {
            throw fail("\(error.message); is pika serve running without its control channel (\(ControlChannel.fileName))?", status: 1)
        }
        let info: ServiceSnapshot.Info
        do {
            info = try await ServiceSnapshot.create(store: store, database: database, at: absolute)
        } catch let error as MemoryError {
            throw fail(error.message, status: 1)
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        print(
            #"{"path":\#(jsonString(info.path)),"memories":\#(info.memories),"lsn":\#(info.lsn),"bytes":\#(info.bytes),"snapshot_s":\#(format(seconds, 3))}"#
        )
    }

    /// Restores a snapshot folder into a service data directory.
    static func restore(from: String, to directory: String, force: Bool) throws {
        let started = ContinuousClock.now
        do {
            try ServiceSnapshot.restore(from: from, to: directory, force: force)
        } catch let error as MemoryError {
            throw fail(error.message, status: error.code == .conflict ? 1 : 2)
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        print(#"{"restored":\#(jsonString(directory)),"restore_s":\#(format(seconds, 3))}"#)
    }
}
