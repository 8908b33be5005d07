import Foundation

/// A time expression's meaning, before it is placed against a reference time.
public enum DateShift: Sendable, Hashable {
    /// N days from the reference day ("yesterday" -1, "tomorrow" +1, "3 days ago" -3).
    case days(Int)
    /// The night of the day N days away ("last night" -1).
    case night(Int)
    /// N weeks away as a day ("two weeks ago" -2).
    case weeks(Int)
    /// The week before (-1) or after (+1) the reference ("last week", "next week").
    case week(Int)
    /// The weekend before (-1), of (0) or after (+1) the reference.
    case weekend(Int)
    /// The calendar month N months away ("last month" -1, "this month" 0).
    case months(Int)
    /// The calendar year N years away ("last year" -1).
    case years(Int)
    /// The previous (-1) or next (+1) given weekday, 1 = Sunday … 7 = Saturday ("last Friday").
    case weekday(Int, direction: Int)
    /// The most recent completed (-1), current (0) or next (+1) season starting in month
    /// `startMonth` ("last summer": 6, -1).
    case season(name: String, startMonth: Int, direction: Int)
    /// An absolute calendar month.
    case month(year: Int, month: Int)
    /// An absolute calendar year.
    case year(Int)
    /// An absolute day.
    case day(year: Int, month: Int, day: Int)
}

/// A resolved time span: what a time expression covers, against a reference time.
public struct DateSpan: Sendable, Hashable {
    /// What kind of span it is, for rendering.
    public enum Kind: Sendable, Hashable {
        /// One day.
        case day
        /// The night of a day.
        case night
        /// A day N weeks away, approximate: the span is the week around it, ``DateSpan/day`` the day.
        case approximateDay
        /// The week before or after the reference day.
        case weekBefore, weekAfter
        /// The weekend before, of, or after the reference day.
        case weekendBefore, weekendOf, weekendAfter
        /// A calendar month.
        case month
        /// A calendar year.
        case year
        /// A season (its name).
        case season(String)
    }

    /// The span's kind.
    public var kind: Kind
    /// First instant (UTC).
    public var start: Date
    /// First instant after the span.
    public var end: Date
    /// The reference day, for "the week before <reference>".
    public var reference: Date

    /// The span's representative day: its first, or the middle of an approximate week.
    public var day: Date {
        kind == .approximateDay ? DateShift.calendar.date(byAdding: .day, value: 3, to: start)! : start
    }

    /// Whether `date` falls in the span.
    public func contains(_ date: Date) -> Bool { date >= start && date < end }
}

extension DateShift {
    /// The calendar every date is computed in: Gregorian, UTC (timestamps are instants; a
    /// conversation's day is its UTC day, the same for every reader).
    static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The span this shift denotes against `reference`; nil for an impossible absolute date.
    public func resolve(against reference: Date) -> DateSpan? {
        let calendar = Self.calendar
        let today = calendar.startOfDay(for: reference)
        func day(_ offset: Int) -> Date { calendar.date(byAdding: .day, value: offset, to: today)! }
        func span(_ kind: DateSpan.Kind, _ start: Date, _ end: Date) -> DateSpan {
            DateSpan(kind: kind, start: start, end: end, reference: today)
        }
        func monthStart(_ date: Date) -> Date { calendar.date(from: calendar.dateComponents([.year, .month], from: date))! }
        switch self {
        case .days(let n):
            return span(.day, day(n), day(n + 1))
        case .night(let n):
            return span(.night, day(n), day(n + 1))
        case .weeks(let n):
            // "Two weeks ago" is not a precise day: the week around it.
            return span(.approximateDay, day(7 * n - 3), day(7 * n + 4))
        case .week(let n):
            return n < 0 ? span(.weekBefore, day(-7), today) : span(.weekAfter, day(1), day(8))
        case .weekend(let n):
            // Calendar numbers Sunday 1 … Saturday 7. On a weekend day "last weekend" is the one before.
            let weekday = calendar.component(.weekday, from: today)
            let sinceSaturday = weekday % 7  // Saturday 0, Sunday 1, Monday 2 … Friday 6
            let onWeekend = sinceSaturday <= 1
            let saturday: Date
            let kind: DateSpan.Kind
            switch n {
            case ..<0:
                saturday = day(-sinceSaturday - (onWeekend ? 7 : 0))
                kind = .weekendBefore
            case 0:
                saturday = onWeekend ? day(-sinceSaturday) : day(7 - sinceSaturday)
                kind = .weekendOf
            default:
                saturday = day(7 - sinceSaturday)  // the coming Saturday (a week on, on a Saturday)
                kind = .weekendAfter
            }
            return span(kind, saturday, calendar.date(byAdding: .day, value: 2, to: saturday)!)
        case .months(let n):
            let start = calendar.date(byAdding: .month, value: n, to: monthStart(today))!
            return span(.month, start, calendar.date(byAdding: .month, value: 1, to: start)!)
        case .years(let n):
            let year = calendar.component(.year, from: today) + n
            return Self.yearSpan(year, reference: today)
        case .weekday(let target, let direction):
            let weekday = calendar.component(.weekday, from: today)
            var offset = direction < 0 ? -((weekday - target + 7) % 7) : (target - weekday + 7) % 7
            if offset == 0 { offset = direction < 0 ? -7 : 7 }
            return span(.day, day(offset), day(offset + 1))
        case .season(let name, let startMonth, let direction):
            var year = calendar.component(.year, from: today)
            func start(_ y: Int) -> Date { calendar.date(from: DateComponents(year: y, month: startMonth, day: 1))! }
            func end(_ y: Int) -> Date { calendar.date(byAdding: .month, value: 3, to: start(y))! }
            switch direction {
            case ..<0: while end(year) > today { year -= 1 }
            case 0: while start(year) > today { year -= 1 }
            default: while start(year) <= today { year += 1 }
            }
            return span(.season(name), start(year), end(year))
        case .month(let year, let month):
            guard (1...12).contains(month),
                let start = calendar.date(from: DateComponents(year: year, month: month, day: 1))
            else { return nil }
            return span(.month, start, calendar.date(byAdding: .month, value: 1, to: start)!)
        case .year(let year):
            return Self.yearSpan(year, reference: today)
        case .day(let year, let month, let dayNumber):
            let components = DateComponents(year: year, month: month, day: dayNumber)
            guard components.isValidDate(in: calendar), let start = calendar.date(from: components) else { return nil }
            return span(.day, start, calendar.date(byAdding: .day, value: 1, to: start)!)
        }
    }

    private static func yearSpan(_ year: Int, reference: Date) -> DateSpan? {
        guard let start = calendar.date(from: DateComponents(year: year, month: 1, day: 1)),
            let end = calendar.date(from: DateComponents(year: year + 1, month: 1, day: 1))
        else { return nil }
        return DateSpan(kind: .year, start: start, end: end, reference: reference)
    }
}
