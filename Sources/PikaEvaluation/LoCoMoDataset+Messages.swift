import Foundation
import PikaMemory

extension LoCoMoDataset {
    /// A session as the conversation a memory-service client would send: every turn as a `user`
    /// message whose `name` is its speaker and whose `timestamp` is the session's date, with its
    /// `dia_id` (the message's provenance) and speaker in the metadata.
    ///
    /// Both speakers are `user`: LoCoMo's questions ask about either of them, and the extractors
    /// read only user messages. The name tells an extractor who "I" is; the timestamp lets it resolve
    /// "yesterday" (``sessionDate(_:)``; a session without a readable date has none).
    public static func messages(session number: Int, dateTime: String, turns: [Turn]) -> [ConversationMessage] {
        let date = sessionDate(dateTime)
        return turns.map { turn in
            ConversationMessage(
                role: "user", content: turn.text,
                metadata: ["dia_id": .string(turn.diaID), "speaker": .string(turn.speaker)],
                name: turn.speaker, timestamp: date)
        }
    }

    /// LoCoMo's session time ("1:56 pm on 8 May, 2023"), read as UTC; nil when it is not in that form.
    public static func sessionDate(_ text: String) -> Date? {
        let pattern = #"(\d{1,2}):(\d{2})\s*([ap]m)\s+on\s+(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})"#
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        let parts = (1...6).map { Range(match.range(at: $0), in: text).map { String(text[$0]) } ?? "" }
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        guard var hour = Int(parts[0]), let minute = Int(parts[1]), let day = Int(parts[3]), let year = Int(parts[5]),
            let month = months.firstIndex(of: String(parts[4].lowercased().prefix(3)))
        else { return nil }
        hour = hour % 12 + (parts[2].lowercased() == "pm" ? 12 : 0)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: year, month: month + 1, day: day, hour: hour, minute: minute))
    }
}
