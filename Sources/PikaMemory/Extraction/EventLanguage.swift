import Foundation

/// The words of one language that event extraction and time-aware search need.
///
/// The engine (``EventRewriter``, ``TemporalQuery``) is language-neutral: it splits sentences, drops
/// small talk, rewrites first-person forms and resolves relative dates through these tables. A second
/// language (Vietnamese) plugs in as another conforming value, listed in ``EventLanguages/all``,
/// without copying the engine. Patterns are ICU regular expressions, matched case-insensitively.
public protocol EventLanguage: Sendable {
    /// A short name (`en`, `vi`), for logs and tests.
    var code: String { get }
    /// The speaker's name when a message names none.
    var defaultSpeaker: String { get }
    /// First-person forms and their replacements, applied in order; `{name}` is the speaker.
    /// ("I'm" → "{name} is", "my" → "{name}'s", "we" → "{name} and others").
    var pronounRewrites: [(pattern: String, template: String)] { get }
    /// Matches a sentence that speaks about the speaker (a first-person form).
    var firstPerson: String { get }
    /// Matches a first-person form that can only mean the speaker alone ("I", "my"): a sentence
    /// whose only first person is "we" and that speaks to the other party ("we can do it!", "since
    /// we last talked") is about the two of them talking, not an event.
    var singularFirstPerson: String { get }
    /// Matches a sentence addressed to the other party ("you", "your").
    var secondPerson: String { get }
    /// Interjections and vocatives stripped from the start of a sentence before it is judged
    /// ("Wow,", "Hey Mel!", "Thanks, Caroline!").
    var leadingFiller: String { get }
    /// Whole sentences that are small talk and never kept (greetings, thanks, reactions), matched
    /// against the sentence after ``leadingFiller`` is removed.
    var smallTalk: [String] { get }
    /// A sentence starting with one of these is a question even without a question mark.
    var questionStart: String { get }
    /// Relative time expressions and the shift each denotes.
    var dateExpressions: [DateExpression] { get }
    /// Absolute time expressions a search query may hold ("in May 2023", "2022").
    var absoluteDates: [DateExpression] { get }
    /// Words that, capitalised, are not person names when a query is scanned for speakers
    /// (question words, months, weekdays).
    var notNames: Set<String> { get }
    /// The resolved time in words, replacing the relative expression ("on 7 May 2023").
    func render(_ span: DateSpan) -> String
}

/// One time expression: a pattern and the time its captures denote.
public struct DateExpression: Sendable {
    /// The ICU pattern (matched case-insensitively, on word boundaries the pattern states).
    public var pattern: String
    /// The shift or absolute time of a match; `captures[0]` is the whole match. Nil: not a date.
    public var shift: @Sendable (_ captures: [String]) -> DateShift?

    /// Creates an expression.
    public init(_ pattern: String, _ shift: @escaping @Sendable (_ captures: [String]) -> DateShift?) {
        self.pattern = pattern
        self.shift = shift
    }
}

/// The languages tried, in order, by extraction and search. The first whose first-person pattern
/// matches a message's text rewrites it; English is the fallback.
public enum EventLanguages {
    /// Every language known.
    public static let all: [any EventLanguage] = [EnglishEventLanguage()]
}
