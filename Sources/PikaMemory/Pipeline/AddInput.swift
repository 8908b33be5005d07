import Foundation

/// The payload of an add job: what `POST /v1/memories` accepted.
public struct AddInput: Sendable, Hashable, Codable {
    /// The conversation (a plain text becomes one user message).
    public var messages: [ConversationMessage]
    /// Agent id.
    public var agentID: String?
    /// Run id.
    public var runID: String?
    /// Metadata copied onto every memory created.
    public var metadata: [String: JSONValue]
    /// Extract facts (true) or store each message verbatim (false).
    public var infer: Bool
    /// When the conversation took place: the time of every message that gives none.
    public var timestamp: Date?

    /// Creates an input.
    public init(
        messages: [ConversationMessage], agentID: String? = nil, runID: String? = nil,
        metadata: [String: JSONValue] = [:], infer: Bool = true, timestamp: Date? = nil
    ) {
        self.messages = messages
        self.agentID = agentID
        self.runID = runID
        self.metadata = metadata
        self.infer = infer
        self.timestamp = timestamp
    }

    /// The messages with the conversation's ``timestamp`` given to those that have none, which is
    /// what the extractors read.
    public var timedMessages: [ConversationMessage] {
        guard let timestamp else { return messages }
        return messages.map { message in
            var message = message
            if message.timestamp == nil { message.timestamp = timestamp }
            return message
        }
    }

    enum CodingKeys: String, CodingKey {
        case messages, metadata, infer, timestamp
        case agentID = "agent_id"
        case runID = "run_id"
    }
}

/// One outcome of an add: a memory and what happened to it.
public struct AddResult: Sendable, Hashable, Codable {
    /// The memory id.
    public var id: String
    /// Its text (the new text for ADD/UPDATE, the removed text for DELETE).
    public var memory: String
    /// The event.
    public var event: MemoryEvent

    /// Creates a result.
    public init(id: String, memory: String, event: MemoryEvent) {
        self.id = id
        self.memory = memory
        self.event = event
    }
}
