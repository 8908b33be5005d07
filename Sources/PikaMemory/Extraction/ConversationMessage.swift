/// One message of a conversation handed to the memory service.
public struct ConversationMessage: Sendable, Hashable, Codable {
    /// `user`, `assistant`, `system`.
    public var role: String
    /// The text.
    public var content: String
    /// Caller metadata (e.g. `{"dia_id": "D1:3"}`), used as provenance.
    public var metadata: [String: JSONValue]?

    /// Creates a message.
    public init(role: String, content: String, metadata: [String: JSONValue]? = nil) {
        self.role = role
        self.content = content
        self.metadata = metadata
    }

    /// The provenance tag of the message at `index`: its `dia_id` or `id` metadata, else `msg:<index>`.
    public func provenance(index: Int) -> String {
        metadata?["dia_id"]?.stringValue ?? metadata?["id"]?.stringValue ?? "msg:\(index)"
    }
}
