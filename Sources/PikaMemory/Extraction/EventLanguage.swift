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
    /// Whether `text` is written in this language. A language that can tell (Vietnamese, by its
    /// letters and words) is chosen for a text it recognises before any other; the default, true,
    /// makes a language the reader of any text no other claims.
    func recognizes(_ text: String) -> Bool
    /// Attribute facts said in this language's own words: each pattern names a slot, and the fact's
    /// text is the clause itself with the speaker's name for the first person. Empty (the default):
    /// the language's facts come from ``RuleExtractor``'s English templates.
    var factPatterns: [FactPattern] { get }
    /// Matches particles at the end of a clause that a fact does not repeat (Vietnamese "ạ", "nhé").
    var trailingFiller: String? { get }
    /// Lower-case words at least one of which every date expression without a four-digit year
    /// holds ("yesterday", "week", "ago", month names…): a query with none of them and no
    /// four-digit number names no time, and skips the expressions (every search asks). Nil (the
    /// default): always try them.
    var timeWords: Set<String>? { get }
    /// Whether the language reads only text it ``recognizes(_:)``; false (the default): a text no
    /// language recognises with a first person is read by one whose first person it holds.
    var readsOnlyRecognised: Bool { get }
}

extension EventLanguage {
    /// Any text.
    public func recognizes(_ text: String) -> Bool { true }
    /// None: facts come from the English templates.
    public var factPatterns: [FactPattern] { [] }
    /// None.
    public var trailingFiller: String? { nil }
    /// Nil: every query is tried.
    public var timeWords: Set<String>? { nil }
    /// False.
    public var readsOnlyRecognised: Bool { false }
}

/// One attribute-fact rule of a language that states facts in its own words (``EventLanguage/factPatterns``).
public struct FactPattern: Sendable {
    /// What a match states: the slot, the graph, and optionally a text other than the clause itself.
    public struct Meaning: Sendable {
        /// The single-valued slot (``ExtractedFact/attribute``), nil for none.
        public var attribute: String?
        /// The fact's text, when it is not the clause with the speaker's name ("Tên là Lan").
        public var text: String?
        /// Entities named.
        public var entities: [GraphEntity]
        /// Relations stated; `user` stands for the speaker, as in the English rules.
        public var relations: [GraphRelation]

        /// Creates a meaning.
        public init(attribute: String?, text: String? = nil, entities: [GraphEntity] = [], relations: [GraphRelation] = []) {
            self.attribute = attribute
            self.text = text
            self.entities = entities
            self.relations = relations
        }
    }

    /// The ICU pattern, matched case-insensitively against one clause.
    public var pattern: String
    /// The meaning of a match (`captures[0]` is the whole match); nil: the rule does not apply.
    public var meaning: @Sendable (_ captures: [String]) -> Meaning?

    /// Creates a rule.
    public init(_ pattern: String, _ meaning: @escaping @Sendable (_ captures: [String]) -> Meaning?) {
        self.pattern = pattern
        self.meaning = meaning
    }
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

/// The languages tried, in order, by extraction and search. A message is read by the first language
/// that recognises it and has a first-person form in it, else by the first that recognises it;
/// Vietnamese typed without (some) marks is claimed first, then Vietnamese, and English reads the rest.
public enum EventLanguages {
    /// Every language known.
    public static let all: [any EventLanguage] = [
        VietnameseTonelessLanguage(), VietnameseEventLanguage(), EnglishEventLanguage(),
    ]
}
