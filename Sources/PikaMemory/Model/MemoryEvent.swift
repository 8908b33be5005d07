import Foundation

/// What consolidation did with a fact (Mem0's vocabulary).
public enum MemoryEvent: String, Sendable, Codable, Hashable {
    /// A new memory.
    case add = "ADD"
    /// An existing memory got new text; the old text is in its history.
    case update = "UPDATE"
    /// An existing memory was retracted.
    case delete = "DELETE"
    /// Nothing changed: the fact was already known.
    case none = "NONE"
}

/// One entry of a memory's history.
public struct HistoryEntry: Sendable, Hashable {
    /// The memory.
    public var memoryID: String
    /// What happened.
    public var event: MemoryEvent
    /// Text before (UPDATE, DELETE).
    public var oldMemory: String?
    /// Text after (ADD, UPDATE).
    public var newMemory: String?
    /// When.
    public var createdAt: Date

    /// Creates an entry.
    public init(memoryID: String, event: MemoryEvent, oldMemory: String?, newMemory: String?, createdAt: Date) {
        self.memoryID = memoryID
        self.event = event
        self.oldMemory = oldMemory
        self.newMemory = newMemory
        self.createdAt = createdAt
    }
}

/// A change to apply atomically with its history.
public enum MemoryMutation: Sendable {
    /// Insert a record (its label is assigned by the store).
    case add(MemoryRecord)
    /// Replace a record's text/metadata/embedding; `previousText` goes to history.
    case update(MemoryRecord, previousText: String)
    /// Remove a record.
    case delete(MemoryRecord)
}
