/// What opening a data directory recovered and what it set aside.
public struct RecoveryReport: Sendable {
    /// WAL records replayed into the growing segment.
    public var replayedRecords = 0
    /// Bytes of a torn last WAL record that were cut off (0 when the log ended cleanly).
    public var truncatedBytes = 0
    /// Damaged files set aside and other findings, each naming its file.
    public var problems: [StorageError] = []
    /// The notes of the replayed changes, oldest first (see ``RecordChange``).
    public var notes: [LoggedNote] = []
}
