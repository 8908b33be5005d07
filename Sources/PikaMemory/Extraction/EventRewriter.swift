import Foundation

/// Finds the informative sentences of a message and rewrites them to stand alone: the speaker's
/// name for first-person forms, relative dates resolved against the message's time.
///
/// Salience, in order, for each sentence (after leading interjections and vocatives are removed): a
/// question, fewer than three words, or small talk (greetings, thanks, farewells, reactions such as
/// "I couldn't agree more") is dropped; a sentence without a first-person form is dropped (remarks
/// and compliments: "That painting is lovely", "You'd be a great teacher"); one whose only first
/// person is "we" is dropped when it also says "you" or has fewer than five words ("we can do it!");
/// the rest is kept. Measured on LoCoMo in docs/evaluation.md. The kept sentences of
/// one message form one event (several when they exceed ``maxEventLength``), so a memory keeps the
/// context of what was said together and names the message it came from.
///
/// `@unchecked Sendable` is safe: every stored property is a `let` set in `init`, and
/// NSRegularExpression is immutable and safe to use from several threads at once.
public final class EventRewriter: @unchecked Sendable {
    /// One event found in a message.
    public struct Event: Sendable, Hashable {
        /// The rewritten text.
        public var text: String
        /// When it happened: the first resolved date of the text, else the message's time.
        public var occurredAt: Date?
    }

    /// The longest event text; the kept sentences of a longer message are split over several events
    /// (the embedder reads 256 tokens, about this many characters of English and more).
    public static let maxEventLength = 600

    /// The shared instance over ``EventLanguages/all``.
    public static let shared = EventRewriter(languages: EventLanguages.all)

    struct Compiled {
        let language: any EventLanguage
        let pronouns: [(regex: NSRegularExpression, template: String)]
        let firstPerson: NSRegularExpression
        let singularFirstPerson: NSRegularExpression
        let secondPerson: NSRegularExpression
        let leadingFiller: NSRegularExpression
        let smallTalk: [NSRegularExpression]
        let questionStart: NSRegularExpression
        let dates: [(regex: NSRegularExpression, expression: DateExpression)]
        let absoluteDates: [(regex: NSRegularExpression, expression: DateExpression)]
        let facts: [(regex: NSRegularExpression, pattern: FactPattern)]
        let trailingFiller: NSRegularExpression?
        let timeWords: Set<String>?
        /// Matches where any of `absoluteDates` or `dates` matches: one pass that clears a query
        /// without a time expression (most) instead of one per expression, each bridging the text.
        let anyDate: NSRegularExpression
    }

    let languages: [Compiled]

    /// Compiles the languages' patterns (a bad pattern is a programming error the tests catch).
    public init(languages: [any EventLanguage]) {
        func regex(_ pattern: String) -> NSRegularExpression {
            do {
                return try NSRegularExpression(pattern: pattern, options: [.caseInsensitive])
            } catch {
                preconditionFailure("bad event pattern \(pattern): \(error)")
            }
        }
        self.languages = languages.map { language in
            Compiled(
                language: language,
                pronouns: language.pronounRewrites.map { (regex($0.pattern), $0.template) },
                firstPerson: regex(language.firstPerson), singularFirstPerson: regex(language.singularFirstPerson),
                secondPerson: regex(language.secondPerson),
                leadingFiller: regex(language.leadingFiller), smallTalk: language.smallTalk.map(regex),
                questionStart: regex(language.questionStart),
                dates: language.dateExpressions.map { (regex($0.pattern), $0) },
                absoluteDates: language.absoluteDates.map { (regex($0.pattern), $0) },
                facts: language.factPatterns.map { (regex($0.pattern), $0) },
                trailingFiller: language.trailingFiller.map(regex), timeWords: language.timeWords,
                // No pattern refers back to a group by number, so the alternation matches exactly
                // where one of its members does.
                anyDate: regex((language.absoluteDates + language.dateExpressions).map { "(?:\($0.pattern))" }.joined(separator: "|")))
        }
        self.notNames = languages.reduce(into: Set<String>()) { $0.formUnion($1.notNames) }
    }

    /// The words of every language that are not names when capitalised (``SpeakerBoost``).
    public let notNames: Set<String>

    /// The events of one message said by `speaker` (nil: the language's default speaker) at `time`
    /// (nil: relative dates stay as said and no `occurredAt` is guessed).
    public func events(in text: String, speaker: String?, time: Date?) -> [Event] {
        events(sentences: Self.sentences(text), speaker: speaker, time: time)
    }

    /// The events of a message's `sentences` (from ``sentences(_:)``), as ``events(in:speaker:time:)``.
    public func events(sentences: [String], speaker: String?, time: Date?) -> [Event] {
        guard let rules = language(for: sentences.joined(separator: " ")) else { return [] }
        let name = speaker.map(Self.cleanName).flatMap { $0.isEmpty ? nil : $0 } ?? rules.language.defaultSpeaker
        var events: [Event] = []
        var current: [String] = []
        var currentLength = 0
        var firstDate: Date?
        func flush() {
            guard !current.isEmpty else { return }
            events.append(Event(text: current.joined(separator: " "), occurredAt: firstDate ?? time.map(DateShift.calendar.startOfDay)))
            current = []
            currentLength = 0
            firstDate = nil
        }
        for sentence in sentences {
            guard let kept = salient(sentence, rules) else { continue }
            let (rewritten, span) = rewrite(kept, speaker: name, time: time, rules)
            if currentLength + rewritten.count > Self.maxEventLength { flush() }
            current.append(String(rewritten.prefix(Self.maxEventLength)))
            currentLength += rewritten.count + 1
            if firstDate == nil, let span { firstDate = span.day }
        }
        flush()
        return events
    }

    /// The sentence without leading filler when it is worth keeping, else nil (see the type's rules).
    public func salientSentence(_ sentence: String) -> String? {
        guard let rules = language(for: sentence) else { return nil }
        return salient(sentence, rules)
    }

    /// The rules that read `text`: the first language recognising it with a first-person form in it
    /// (then any language with one that reads what it does not recognise: "I love phở" is English),
    /// else the first recognising it, else the first.
    func language(for text: String) -> Compiled? {
        let readers = languages.filter { $0.language.recognizes(text) }
        return readers.first { Self.matches($0.firstPerson, text) }
            ?? languages.first { !$0.language.readsOnlyRecognised && Self.matches($0.firstPerson, text) }
            ?? readers.first ?? languages.first
    }

    func salient(_ sentence: String, _ rules: Compiled) -> String? {
        var text = sentence.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.hasSuffix("?") else { return nil }
        if let filler = rules.leadingFiller.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
            filler.range.length > 0, let range = Range(filler.range, in: text)
        {
            // Only the front: the sentence keeps its own end ("…class." stays a sentence).
            text = String(text[range.upperBound...].drop(while: { $0.isWhitespace || $0.isPunctuation }))
        }
        let words = text.split(whereSeparator: { $0.isWhitespace }).count
        guard words >= 3 else { return nil }
        let bare = text.trimmingCharacters(in: .punctuationCharacters)
        if Self.matches(rules.questionStart, text) || rules.smallTalk.contains(where: { Self.matches($0, bare) }) { return nil }
        guard Self.matches(rules.firstPerson, text) else { return nil }
        if !Self.matches(rules.singularFirstPerson, text), Self.matches(rules.secondPerson, text) || words < 5 { return nil }
        return Self.capitalisingFirst(text)
    }

    /// `sentence` with dates resolved against `time` and first-person forms replaced by `speaker`.
    func rewrite(_ sentence: String, speaker: String, time: Date?, _ rules: Compiled) -> (String, DateSpan?) {
        var text = sentence
        var first: DateSpan?
        if let time {
            for (regex, expression) in rules.dates {
                text = Self.replace(regex, in: text) { captures in
                    guard let span = expression.shift(captures)?.resolve(against: time) else { return nil }
                    if first == nil { first = span }
                    return rules.language.render(span)
                }
            }
            // A date the sentence names outright ("on 3 June 2022", "in March 2021") dates the event
            // when no relative one did; its words stay as said.
            if first == nil { first = Self.firstSpan(of: rules.absoluteDates, in: text, time: time) }
        }
        // A private-use placeholder stands for the name while the rewrites run, so a name that looks
        // like a pronoun ("Mi") is not rewritten again.
        let placeholder = "\u{E000}"
        for (regex, template) in rules.pronouns {
            text = Self.replace(regex, in: text) { _ in template.replacingOccurrences(of: "{name}", with: placeholder) }
        }
        text = text.replacingOccurrences(of: placeholder, with: speaker)
        return (Self.capitalisingFirst(text), first)
    }

    /// The span of the first of `expressions` (in their order) that matches `text`, against `time`.
    static func firstSpan(
        of expressions: [(regex: NSRegularExpression, expression: DateExpression)], in text: String, time: Date
    ) -> DateSpan? {
        let range = NSRange(text.startIndex..., in: text)
        for (regex, expression) in expressions {
            guard let match = regex.firstMatch(in: text, range: range) else { continue }
            let captures = (0..<match.numberOfRanges).map { group in
                Range(match.range(at: group), in: text).map { String(text[$0]) } ?? ""
            }
            if let span = expression.shift(captures)?.resolve(against: time) { return span }
        }
        return nil
    }

    /// Splits at `.`, `!`, `?` (runs of them) followed by a space or the end, and at line breaks;
    /// each sentence keeps its terminator, so a question stays recognisable.
    public static func sentences(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var previousWasTerminator = false
        for character in text {
            if character.isNewline {
                result.append(current)
                current = ""
                previousWasTerminator = false
                continue
            }
            if previousWasTerminator, character.isWhitespace, !current.isEmpty {
                result.append(current)
                current = ""
            }
            if !(current.isEmpty && character.isWhitespace) { current.append(character) }
            previousWasTerminator = ".!?".contains(character) || (previousWasTerminator && character == "\"")
        }
        result.append(current)
        return result.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static func cleanName(_ name: String) -> String {
        String(name.trimmingCharacters(in: .whitespacesAndNewlines).prefix(64))
    }

    static func matches(_ regex: NSRegularExpression, _ text: String) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
    }

    static func capitalisingFirst(_ text: String) -> String {
        guard let first = text.first, first.isLowercase else { return text }
        return first.uppercased() + text.dropFirst()
    }

    /// Replaces every match of `regex` by `replacement(captures)` (nil keeps the match as it is).
    static func replace(_ regex: NSRegularExpression, in text: String, _ replacement: ([String]) -> String?) -> String {
        let matches = regex.matches(in: text, range: NSRange(text.startIndex..., in: text))
        guard !matches.isEmpty else { return text }
        var result = ""
        var cursor = text.startIndex
        for match in matches {
            guard let range = Range(match.range, in: text) else { continue }
            let captures = (0..<match.numberOfRanges).map { group -> String in
                Range(match.range(at: group), in: text).map { String(text[$0]) } ?? ""
            }
            result += text[cursor..<range.lowerBound]
            result += replacement(captures) ?? String(text[range])
            cursor = range.upperBound
        }
        result += text[cursor...]
        return result
    }
}
