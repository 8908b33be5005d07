import Foundation

/// A time as requests give it: Unix seconds (a number, or a string of digits), or ISO 8601
/// (`2023-05-08T13:56:00Z`, with fractional seconds or an offset, or a date alone, read as UTC
/// midnight). Mem0's `timestamp` field takes the same forms.
public enum RequestTime {
    /// The instant `value` denotes, or nil when it is none of the accepted forms (the caller answers
    /// 400). Years outside 1...9999 are refused.
    public static func parse(_ value: JSONValue) -> Date? {
        if let seconds = value.numberValue { return date(unixSeconds: seconds) }
        guard let text = value.stringValue?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.count <= 64 else {
            return nil
        }
        if text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let seconds = Double(text) {
            return date(unixSeconds: seconds)
        }
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate],
        ] {
            // A formatter per call: parsing is rare (once per request field), and ISO8601DateFormatter
            // is not safe to share between threads.
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = options
            formatter.timeZone = TimeZone(identifier: "UTC")
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }

    /// `date` when ISO 8601 can write it (years 1...9999), else nil: a time derived from a request
    /// (a relative date resolved near the range's end) must not leave the range requests may give.
    public static func representable(_ date: Date) -> Date? {
        (-62_135_596_800..<253_402_300_800).contains(date.timeIntervalSince1970) ? date : nil
    }

    private static func date(unixSeconds: Double) -> Date? {
        // 1970 ... 9999-12-31: a wider number is a unit mistake (milliseconds) rather than a time.
        guard unixSeconds.isFinite, unixSeconds >= 0, unixSeconds < 253_402_300_800 else { return nil }
        return Date(timeIntervalSince1970: unixSeconds)
    }
}
