import ArgumentParser
import PikaDataStore
import PikaEngine
import PikaStorage

/// `pika snapshot`: consistent point-in-time copies of a data directory.
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Create, list and restore snapshots of a data directory.",
        subcommands: [SnapshotCreateCommand.self, SnapshotListCommand.self, SnapshotRestoreCommand.self]
    )
}

/// `pika snapshot create`: on the data directory of `pika serve`, a snapshot folder of the whole
/// service (also while it runs); on a bare segment store, one archive file.
struct SnapshotCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Write a consistent snapshot (manifest, sealed files, log prefix) to one file."
    )

    @OptionGroup var dataDir: DataDirectoryOption

    @Option(help: "Snapshot file to write.")
    var out: String

    func run() async throws {
        if ServiceSnapshotCommands.isServiceDirectory(dataDir.path) {
            return try await ServiceSnapshotCommands.create(directory: dataDir.path, out: out)
        }
        let store = try IndexDirectory.open(dataDir.path, readOnly: false)
        let started = ContinuousClock.now
        let info: SnapshotInfo
        do {
            info = try store.snapshot(to: out)
        } catch {
            throw fail(error.description, status: 1)
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        print(
            #"{"path":\#(jsonString(info.path)),"lsn":\#(info.lsn),"records":\#(info.records),"files":\#(info.files),"#
                + #""bytes":\#(info.bytes),"snapshot_s":\#(format(seconds, 3))}"#)
    }
}

/// `pika snapshot list`.
struct SnapshotListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the snapshots made from a data directory, one JSON object per line."
    )

    @OptionGroup var dataDir: DataDirectoryOption

    func run() throws {
        let list: [(info: SnapshotInfo, exists: Bool)]
        do {
            list = try DataDirectory.listSnapshots(at: IndexDirectory.resolve(dataDir.path))
        } catch {
            throw fail(error.description, status: 2)
        }
        for (info, exists) in list {
            print(
                #"{"path":\#(jsonString(info.path)),"created_ms":\#(info.createdAt),"lsn":\#(info.lsn),"#
                    + #""records":\#(info.records),"bytes":\#(info.bytes),"exists":\#(exists)}"#)
        }
    }
}

/// `pika snapshot restore`.
struct SnapshotRestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a snapshot into a data directory (refuses a non-empty one without --force)."
    )

    @Option(help: "Snapshot file.")
    var from: String

    @OptionGroup var dataDir: DataDirectoryOption

    @Flag(help: "Replace whatever the target directory holds.")
    var force = false

    func run() throws {
        if ServiceSnapshot.isServiceSnapshot(from) {
            return try ServiceSnapshotCommands.restore(from: from, to: dataDir.path, force: force)
        }
        let started = ContinuousClock.now
        let info: SnapshotInfo
        do {
            info = try DataDirectory.restore(from: from, to: dataDir.path, force: force)
        } catch {
            throw fail(error.description, status: error.code == .corruptFile || error.code == .io ? 2 : 1)
        }
        let seconds = (ContinuousClock.now - started).inSeconds
        print(#"{"restored":\#(jsonString(dataDir.path)),"lsn":\#(info.lsn),"files":\#(info.files),"restore_s":\#(format(seconds, 3))}"#)
    }
}
