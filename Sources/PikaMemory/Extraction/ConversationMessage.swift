import Foundation

/// One message of a conversation handed to the memory service.
public struct ConversationMessage: Sendable, Hashable, Codable {
    /// `user`, `assistant`, `system`.
    public var role: String
    /// The text.
    public var content: String
    /// Caller metadata (e.g. `{"dia_id": "D1:3"}`), used as provenance.
    public var metadata: [String: JSONValue]?
    /// The speaker's name (OpenAI's `name`): who "I" is in the message.
    public var name: String?
    /// When the message was said; relative dates in it are resolved against this.
    public var timestamp: Date?

    /// Creates a message.
    public init(
        role: String, content: String, metadata: [String: JSONValue]? = nil, name: String? = nil,
        timestamp: Date? = nil
    ) {
        self.role = role
        self.content = content
        self.metadata = metadata
        self.name = name
        self.timestamp = timestamp
    }

    /// The provenance tag of the message at `index`: its `dia_id` or `id` metadata, else `msg:<index>`.
    public func provenance(index: Int) -> String {
        metadata?["dia_id"]?.stringValue ?? metadata?["id"]?.stringValue ?? "msg:\(index)"
    }

    /// The speaker: the message's `name`, else its `speaker` or `name` metadata, else nil.
    public var speaker: String? {
        for candidate in [name, metadata?["speaker"]?.stringValue, metadata?["name"]?.stringValue] {
            if let candidate, !candidate.allSatisfy(\.isWhitespace) { return candidate }
        }
        return nil
    }
}
