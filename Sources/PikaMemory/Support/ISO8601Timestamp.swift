import Foundation
import Synchronization

/// ISO 8601 timestamps in UTC with milliseconds (`2026-11-26T01:02:03.456Z`): the text
/// `ISO8601DateFormatter` with `[.withInternetDateTime, .withFractionalSeconds]` produces, without
/// its cost. Creating that formatter builds an ICU date format (tens of microseconds); the API
/// writes two timestamps per memory, and creating them per call took 40 % of the server's CPU under
/// the service load benchmark (docs/benchmarks-archive.md, "Service load").
///
/// Dates in 1970...9999 are formatted by arithmetic that reproduces the formatter's rounding (to the
/// nearest millisecond, halves up: `CFDateFormatter` adds half a millisecond to the time it hands
/// ICU, which truncates); others, where ICU's Julian calendar before 1582 and five-digit years
/// differ, go to one shared formatter under a lock. A test compares both on many dates.
public enum ISO8601Timestamp {
    /// Seconds from 1970 to 2001 (`kCFAbsoluteTimeIntervalSince1970`).
    private static let referenceOffset = 978_307_200.0
    /// 10000-01-01T00:00:00Z in milliseconds since 1970.
    private static let fastPathEnd = 253_402_300_800_000.0

    /// ICU date formats are not safe to share between threads: calls take the lock.
    private static let fallback = Mutex(FormatterBox())

    /// The timestamp text of `date`.
    public static func string(from date: Date) -> String {
        // The same UDate (milliseconds since 1970, a Double, rounded) CFDateFormatter passes to ICU.
        let udate = (date.timeIntervalSinceReferenceDate + referenceOffset) * 1000 + 0.5
        guard udate >= 0, udate < fastPathEnd else {
            return fallback.withLock { $0.formatter.string(from: date) }
        }
        let totalMillis = Int64(udate.rounded(.down))
        let millis = Int(totalMillis % 1000)
        let seconds = totalMillis / 1000
        let days = Int(seconds / 86_400)
        let secondOfDay = Int(seconds % 86_400)
        let (year, month, day) = civil(fromDaysSince1970: days)
        var bytes = [UInt8](repeating: 0, count: 24)
        func put(_ value: Int, digits: Int, at offset: Int) {
            var rest = value
            for position in stride(from: offset + digits - 1, through: offset, by: -1) {
                bytes[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
            }
        }
        put(year, digits: 4, at: 0)
        bytes[4] = UInt8(ascii: "-")
        put(month, digits: 2, at: 5)
        bytes[7] = UInt8(ascii: "-")
        put(day, digits: 2, at: 8)
        bytes[10] = UInt8(ascii: "T")
        put(secondOfDay / 3600, digits: 2, at: 11)
        bytes[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, digits: 2, at: 14)
        bytes[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, digits: 2, at: 17)
        bytes[19] = UInt8(ascii: ".")
        put(millis, digits: 3, at: 20)
        bytes[23] = UInt8(ascii: "Z")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Proleptic Gregorian (year, month, day) of a day count since 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`), for days ≥ 0.
    private static func civil(fromDaysSince1970 days: Int) -> (Int, Int, Int) {
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Holds the fallback formatter. `@unchecked Sendable` is safe: the only instance lives inside
/// ``ISO8601Timestamp``'s `Mutex`, so the formatter is used by one thread at a time.
private final class FormatterBox: @unchecked Sendable {
    let formatter: ISO8601DateFormatter

    init() {
        formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    }
}
