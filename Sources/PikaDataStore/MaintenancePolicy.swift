/// When the memory store seals its growing segment and compacts its sealed ones.
///
/// The growing segment lives in memory (an HNSW graph over the records since the last seal) and
/// is rebuilt from the write-ahead log at start-up, so its size bounds both memory and restart
/// time: it is sealed once it holds `sealRecords` records or its oldest unsealed write is
/// `sealAge` old. Compaction rewrites every sealed segment into one without deleted rows; it runs
/// when a fifth of the sealed rows are deleted, when there are `maxSegments` segments, and after a
/// user's deletion (that is what erases the user's text from the files: docs/operations.md).
public struct MaintenancePolicy: Sendable, Hashable {
    /// Seal once the growing segment holds this many records.
    public var sealRecords = 10_000
    /// Seal once the oldest unsealed write is this old.
    public var sealAge: Duration = .seconds(60)
    /// Compact once this share of the sealed rows is deleted.
    public var deletedShare = 0.2
    /// Compact once there are this many sealed segments.
    public var maxSegments = 16

    /// The defaults above.
    public init() {}
}

/// What one maintenance pass did.
public struct MaintenanceReport: Sendable, Hashable {
    /// Whether the growing segment was sealed.
    public var sealed = false
    /// Whether the sealed segments were compacted.
    public var compacted = false
}
