import PikaMemory

extension LoCoMoDataset {
    /// A session as the conversation a memory-service client would send: a system message giving
    /// the session's date, then every turn as a `user` message `"Speaker: text"` whose metadata
    /// carries its `dia_id` (the message's provenance) and its speaker.
    ///
    /// Both speakers are `user`: LoCoMo's questions ask about either of them, and the extractors
    /// read only user messages. The speaker's name stays in the text so an extractor can tell
    /// who said what. The date goes in a system message because ``AddInput`` has no timestamp
    /// (the rule extractor ignores it; an LLM reads it to resolve "yesterday").
    public static func messages(session number: Int, dateTime: String, turns: [Turn]) -> [ConversationMessage] {
        var messages: [ConversationMessage] = []
        if !dateTime.isEmpty {
            messages.append(ConversationMessage(
                role: "system", content: "Session \(number), \(dateTime).",
                metadata: ["dia_id": .string("session-\(number)-date")]))
        }
        for turn in turns {
            messages.append(ConversationMessage(
                role: "user", content: "\(turn.speaker): \(turn.text)",
                metadata: ["dia_id": .string(turn.diaID), "speaker": .string(turn.speaker)]))
        }
        return messages
    }
}
