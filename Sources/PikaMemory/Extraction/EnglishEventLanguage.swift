import Foundation

/// English forms for event extraction and time-aware search (see ``EventLanguage``).
public struct EnglishEventLanguage: EventLanguage {
    /// Creates the rule set.
    public init() {}

    /// `en`.
    public var code: String { "en" }
    /// `User`.
    public var defaultSpeaker: String { "User" }

    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September",
        "October", "November", "December",
    ]
    static let monthPattern =
        "(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
    static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    static let numbers = [
        "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
        "eight": 8, "nine": 9, "ten": 10, "couple of": 2, "few": 3,
    ]
    static let count = #"(\d{1,2}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|a couple of|a few)"#

    /// Verb agreement is fixed for the auxiliaries only: "I have" → "Ana has", "I don't" → "Ana doesn't";
    /// other present-tense verbs stay as said ("Ana go"), which costs nothing to search.
    @Sendable static func number(_ word: String) -> Int? {
        let word = word.lowercased().replacingOccurrences(of: "a couple of", with: "couple of")
            .replacingOccurrences(of: "a few", with: "few")
        return Int(word) ?? numbers[word]
    }

    @Sendable static func weekdayNumber(_ word: String) -> Int? {
        weekdays.firstIndex(of: word.lowercased()).map { $0 + 1 }
    }

    @Sendable static func monthNumber(_ word: String) -> Int? {
        let prefix = word.lowercased().prefix(3)
        return months.firstIndex { $0.lowercased().hasPrefix(prefix) }.map { $0 + 1 }
    }

    /// Seasons of the northern hemisphere, by their first month.
    @Sendable static func seasonShift(_ name: String, _ direction: Int) -> DateShift {
        let name = name.lowercased() == "fall" ? "autumn" : name.lowercased()
        let start = ["spring": 3, "summer": 6, "autumn": 9, "winter": 12][name] ?? 6
        return .season(name: name, startMonth: start, direction: direction)
    }

    /// "I'm" → "{name} is", "I have" → "{name} has" and the other first-person forms, contractions
    /// before the bare pronoun so the longer form wins.
    public var pronounRewrites: [(pattern: String, template: String)] {
        [
            (#"\bI\s*'\s*m\b|\bI\s+am\b"#, "{name} is"),
            (#"\bI\s*'\s*ve\b|\bI\s+have\b"#, "{name} has"),
            (#"\bI\s*'\s*d\b"#, "{name} would"),
            (#"\bI\s*'\s*ll\b"#, "{name} will"),
            (#"\bI\s+was\b"#, "{name} was"),
            (#"\bI\s+don\s*'\s*t\b|\bI\s+do\s+not\b"#, "{name} does not"),
            (#"\bI\s+do\b"#, "{name} does"),
            (#"\bI\b"#, "{name}"),
            (#"\bmyself\b"#, "{name}"),
            (#"\bmine\b"#, "{name}'s"),
            (#"\bmy\b"#, "{name}'s"),
            (#"\bme\b"#, "{name}"),
            (#"\bwe\s*'\s*re\b|\bwe\s+are\b"#, "{name} and others are"),
            (#"\bwe\s*'\s*ve\b"#, "{name} and others have"),
            (#"\bwe\b"#, "{name} and others"),
            (#"\bours\b"#, "{name}'s"),
            (#"\bour\b"#, "{name}'s"),
            (#"\bus\b"#, "{name} and others"),
        ]
    }

    /// First person, "we" included: "we took the kids camping" is the speaker's event.
    public var firstPerson: String { #"\b(I|me|my|mine|myself|we|us|our|ours)\b|\bI\s*'"# }
    /// "I", "me", "my", "mine", "myself".
    public var singularFirstPerson: String { #"\b(I|me|my|mine|myself)\b|\bI\s*'"# }
    /// The other party.
    public var secondPerson: String { #"\b(you|your|yours|yourself|u)\b"# }
    /// "Wow,", "Hey Mel!", "Thanks, Caroline!", "Oh", "Yeah,", "Haha".
    public var leadingFiller: String {
        #"^(?:(?:wow|oh|ooh|aw+|hey|hi|hello|yeah|yes|yep|no|nope|ok|okay|well|so|haha+|lol|hmm+|um+|ah+|omg|gosh|cool|awesome|great|nice|sure|right|totally|absolutely|indeed|thanks|thank you|congrats|congratulations|sorry)\b[\s,!.]*(?:(?-i:\p{Lu}\p{Ll}+)[,!.]+\s*)?)+"#
    }

    /// Greetings, thanks, farewells and reactions that carry no fact.
    public var smallTalk: [String] {
        [
            #"^(?:hi|hey|hello|good (?:morning|afternoon|evening)|long time no see)\b.{0,30}$"#,
            #"^(?:it'?s )?(?:so |really )?(?:good|nice|great) to (?:see|hear from|talk to|chat with) you\b.{0,20}$"#,
            #"^(?:how (?:are|have) you|how'?s it going|what'?s up)\b.*$"#,
            #"^(?:thanks|thank you|thx|cheers)\b.{0,40}$"#,
            #"^(?:bye|goodbye|see you|see ya|talk (?:to you )?(?:soon|later)|take care|catch you later|have a (?:good|great|nice)\b).{0,40}$"#,
            #"^(?:that'?s|that is|that sounds|that looks|it'?s|it is|it sounds|sounds|looks|what an?|how|so|such an?)\s+(?:so |really |very |pretty |just |super |totally )*(?:cool|great|awesome|amazing|wonderful|fantastic|nice|lovely|sweet|beautiful|incredible|impressive|interesting|exciting|fun|good|sad|tough|hard|rough|inspiring|special|touching|neat|fair|true|right)\b.{0,30}$"#,
            #"^(?:glad|happy|sorry) (?:to hear|you|that)\b.{0,60}$"#,
            #"^(?:me too|same here|i agree|agreed|definitely|absolutely|exactly|totally|of course|no problem|no worries|sure thing|you bet|good luck|congrats|congratulations|well done|keep it up|i know|i see|i hope so|i bet|i can imagine|i understand|i love that|love that|love it)\b.{0,20}$"#,
            #"^(?:good|great|nice) (?:job|work|idea|point|question|one)\b.{0,20}$"#,
            // First-person reactions to the other party: the "I" carries no fact.
            #"^i(?:'m| am) (?:so |really |very |super |just )*(?:happy|glad|proud|sorry|thrilled|excited|impressed|touched) (?:for you|to hear|you|that you|of you)\b.*$"#,
            #"^i (?:really |totally |completely )?(?:hope|bet|know|think|guess|agree|understand|appreciate|admire|believe in|get) (?:you|that you|your|it|that|so|what you|how you)\b.{0,60}$"#,
            #"^i (?:couldn'?t|could not|can'?t|cannot) agree more\b.*$"#,
            #"^(?:let me know|tell me (?:more|about)|keep me posted|i'?d love to (?:hear|see|know|try)|i can'?t wait to (?:hear|see))\b.*$"#,
            #"^(?:i'?m|i am) (?:sure|certain) (?:you|your|it'?ll|that'?ll)\b.*$"#,
        ]
    }

    /// Questions put to the other party without a question mark.
    public var questionStart: String {
        #"^(?:(?:what|where|who|whose|why|how|which)\b.*\b(?:you|your|u)\b|(?:do|does|did|are|is|was|were|can|could|would|will|should|have|has|had|any|anything)\s+(?:you|u|ya|your|it|that|this|there|they|he|she)\b)(?!.*[.!]\s*$)"#
    }

    /// "yesterday", "last weekend", "two weeks ago", "last Friday", "last summer"…
    public var dateExpressions: [DateExpression] {
        let count = Self.count
        let weekday = "(sunday|monday|tuesday|wednesday|thursday|friday|saturday)"
        let season = "(summer|winter|spring|fall|autumn)"
        let number = Self.number
        let weekdayNumber = Self.weekdayNumber
        let seasonShift = Self.seasonShift
        return [
            DateExpression(#"\bthe day before yesterday\b"#) { _ in .days(-2) },
            DateExpression(#"\bthe day after tomorrow\b"#) { _ in .days(2) },
            DateExpression(#"\byesterday\b"#) { _ in .days(-1) },
            DateExpression(#"\blast night\b"#) { _ in .night(-1) },
            DateExpression(#"\b(?:today|this (?:morning|afternoon|evening)|tonight)\b"#) { _ in .days(0) },
            DateExpression(#"\btomorrow\b"#) { _ in .days(1) },
            DateExpression(#"\b"# + count + #"\s+days?\s+ago\b"#) { c in number(c[1]).map { .days(-$0) } },
            DateExpression(#"\b"# + count + #"\s+weeks?\s+ago\b"#) { c in number(c[1]).map { .weeks(-$0) } },
            DateExpression(#"\b"# + count + #"\s+months?\s+ago\b"#) { c in number(c[1]).map { .months(-$0) } },
            DateExpression(#"\b"# + count + #"\s+years?\s+ago\b"#) { c in number(c[1]).map { .years(-$0) } },
            DateExpression(#"\bin\s+"# + count + #"\s+days?\b"#) { c in number(c[1]).map { .days($0) } },
            DateExpression(#"\bin\s+"# + count + #"\s+weeks?\b"#) { c in number(c[1]).map { .weeks($0) } },
            // "the past week" with the words before it ("in the", "over the", "this"), so the rendered
            // span replaces the whole phrase ("in April 2023", not "in the in April 2023"). "For the
            // past year" is a duration, not a time: it stays as said.
            DateExpression(#"\b(?:(in|over|during|within|for)\s+)?(?:the|this)\s+past\s+(week|weekend|month|year)\b"#) { c in
                guard c[1].lowercased() != "for" else { return nil }
                switch c[2].lowercased() {
                case "week": return .week(-1)
                case "weekend": return .weekend(-1)
                case "month": return .months(-1)
                default: return .years(-1)
                }
            },
            DateExpression(#"\b(last|this|next)\s+weekend\b"#) { c in
                .weekend(c[1].lowercased() == "next" ? 1 : c[1].lowercased() == "this" ? 0 : -1)
            },
            DateExpression(#"\b(last|next)\s+week\b"#) { c in .week(c[1].lowercased() == "next" ? 1 : -1) },
            DateExpression(#"\b(last|this|next)\s+month\b"#) { c in
                .months(c[1].lowercased() == "next" ? 1 : c[1].lowercased() == "this" ? 0 : -1)
            },
            DateExpression(#"\b(last|this|next)\s+year\b"#) { c in
                .years(c[1].lowercased() == "next" ? 1 : c[1].lowercased() == "this" ? 0 : -1)
            },
            DateExpression(#"\b(last|next)\s+"# + weekday + #"\b"#) { c in
                weekdayNumber(c[2]).map { .weekday($0, direction: c[1].lowercased() == "next" ? 1 : -1) }
            },
            DateExpression(#"\b(last|this|next)\s+"# + season + #"\b"#) { c in
                seasonShift(c[2], c[1].lowercased() == "next" ? 1 : c[1].lowercased() == "this" ? 0 : -1)
            },
        ]
    }

    /// "8 May 2023", "May 8, 2023", "May 2023", "in 2022".
    public var absoluteDates: [DateExpression] {
        let month = Self.monthPattern
        let monthNumber = Self.monthNumber
        return [
            DateExpression(#"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?"# + month + #",?\s+(\d{4})\b"#) { c in
                guard let m = monthNumber(c[2]), let d = Int(c[1]), let y = Int(c[3]) else { return nil }
                return .day(year: y, month: m, day: d)
            },
            DateExpression(#"\b"# + month + #"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b"#) { c in
                guard let m = monthNumber(c[1]), let d = Int(c[2]), let y = Int(c[3]) else { return nil }
                return .day(year: y, month: m, day: d)
            },
            DateExpression(#"\b"# + month + #",?\s+(?:of\s+)?(\d{4})\b"#) { c in
                guard let m = monthNumber(c[1]), let y = Int(c[2]) else { return nil }
                return .month(year: y, month: m)
            },
            DateExpression(#"\b(?:in|during|of|since)\s+((?:19|20)\d{2})\b"#) { c in Int(c[1]).map { .year($0) } },
        ]
    }

    /// The words of ``dateExpressions`` and the month names of ``absoluteDates`` (the year-only form
    /// needs its four-digit year).
    public var timeWords: Set<String>? {
        var words: Set<String> = [
            "yesterday", "tomorrow", "today", "tonight", "night", "morning", "afternoon", "evening",
            "ago", "day", "days", "week", "weeks", "weekend", "month", "months", "year", "years",
            "summer", "winter", "spring", "fall", "autumn",
        ]
        words.formUnion(Self.months.map { $0.lowercased() })
        words.formUnion(["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"])
        words.formUnion(Self.weekdays)
        return words
    }

    /// Question words, function words, months and weekdays.
    public var notNames: Set<String> {
        var words: Set<String> = [
            "What", "When", "Where", "Who", "Whom", "Whose", "Why", "How", "Which", "Did", "Does", "Do",
            "Is", "Are", "Was", "Were", "Has", "Have", "Had", "Can", "Could", "Would", "Will", "Should",
            "The", "A", "An", "In", "On", "At", "Of", "For", "And", "Or", "But", "If", "I", "My",
            "Tell", "List", "Name", "Give", "According", "Besides", "After", "Before", "During",
            "Last", "Next", "This", "That", "These", "Those", "Yesterday", "Today", "Tomorrow", "User",
        ]
        words.formUnion(Self.months)
        words.formUnion(Self.weekdays.map(\.capitalized))
        return words
    }

    /// "on 7 May 2023", "in the week before 8 May 2023", "in April 2023", "in the summer of 2022".
    public func render(_ span: DateSpan) -> String {
        let calendar = DateShift.calendar
        func day(_ date: Date) -> String {
            let c = calendar.dateComponents([.year, .month, .day], from: date)
            return "\(c.day!) \(Self.months[c.month! - 1]) \(c.year!)"
        }
        let year = calendar.component(.year, from: span.start)
        switch span.kind {
        case .day: return "on \(day(span.start))"
        case .night: return "on the night of \(day(span.start))"
        case .approximateDay: return "around \(day(span.day))"
        case .weekBefore: return "in the week before \(day(span.reference))"
        case .weekAfter: return "in the week after \(day(span.reference))"
        case .weekendBefore, .weekendOf, .weekendAfter: return "on the weekend of \(day(span.start))"
        case .month: return "in \(Self.months[calendar.component(.month, from: span.start) - 1]) \(year)"
        case .year: return "in \(year)"
        case .season(let name):
            return name == "winter" ? "in the winter of \(year)–\(year + 1)" : "in the \(name) of \(year)"
        }
    }
}
