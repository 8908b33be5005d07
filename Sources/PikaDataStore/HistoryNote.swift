import Foundation
import PikaMemory

/// A memory's history event as it travels in the write-ahead log beside the change it describes.
///
/// The note is durable exactly when its change is; the relational `history` table is a projection
/// of the notes, written after the change and replayed from the log after a crash. Projection is
/// idempotent (`event` is unique in the table), so replaying a note twice adds nothing. A purge
/// note (a user's deletion) removes that user's history.
struct HistoryNote: Codable, Sendable, Hashable {
    /// Unique per event: the projection's idempotency key.
    var event: String
    var tenant: String
    var user: String
    /// Nil for a purge.
    var memoryID: String?
    var kind: String?
    var old: String?
    var new: String?
    /// Seconds since the Unix epoch.
    var at: Double
    /// True when the user's whole history is to be removed.
    var purge: Bool?

    /// The note of an ADD, UPDATE or DELETE of `record`.
    init(_ record: MemoryRecord, _ kind: MemoryEvent, old: String?, new: String?, at: Date) {
        event = UUID().uuidString.lowercased()
        tenant = record.scope.tenant
        user = record.scope.userID
        memoryID = record.id
        self.kind = kind.rawValue
        self.old = old
        self.new = new
        self.at = at.timeIntervalSince1970
    }

    /// The note that removes a user's history.
    init(purging scope: MemoryScope, at: Date) {
        event = UUID().uuidString.lowercased()
        tenant = scope.tenant
        user = scope.userID
        self.at = at.timeIntervalSince1970
        purge = true
    }

    func encoded() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(self), as: UTF8.self)) ?? "{}"
    }

    /// The note in `text`, nil when it is not one of ours.
    static func decode(_ text: String) -> HistoryNote? {
        try? JSONDecoder().decode(HistoryNote.self, from: Data(text.utf8))
    }
}
