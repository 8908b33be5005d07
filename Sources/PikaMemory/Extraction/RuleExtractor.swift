import Foundation

/// The built-in extractor: regular-expression rules over the user's messages.
///
/// English first-person statements (name, age, birthday, favourites, likes and dislikes and their
/// retraction, pets, family, school and grade, home, plans, identity, and those of
/// ``RuleSet/selfStatements()``: appearance, food, origin, work, hobbies, health, beliefs) and third-person preferences
/// ("Lan loves cats", "My sister Lan likes cats") become short English facts ("Loves cats"). A
/// language with its own fact patterns (``EventLanguage/factPatterns``: Vietnamese) states its facts in
/// its own words instead ("Em thích mèo" → "Lan thích mèo"). Messages are split into clauses at
/// sentence ends and at "and I"/"and my" ("và em", "nhưng em"…); the first rule that matches a clause
/// wins. Assistant and system messages are ignored: they are not the user's facts. Besides these
/// attribute facts, each user message's informative sentences become one `event` memory
/// (``EventRewriter``). A message without a speaker's `name` is said by the name an earlier message
/// or sentence of the same add stated ("Em tên là Lan. Em thích mèo." → "Lan thích mèo"). A fact of a
/// message with a speaker's `name` fills that speaker's slot (``AttributeSlot``: `@ana|favorite_color`);
/// one without, or said by `User`, fills the user's own (`favorite_color`).
public struct RuleExtractor: FactExtractor {
    /// `rules`.
    public let name = "rules"
    private let rules: RuleSet
    private let rewriter: EventRewriter
    private let keepsEvents: Bool

    /// Creates the extractor (compiles its patterns once). With `events` (the default) it also keeps
    /// each user message's informative sentences as standalone events (``EventRewriter``).
    public init(events: Bool = true) {
        rules = RuleSet.shared
        rewriter = EventRewriter.shared
        keepsEvents = events
    }

    /// See ``FactExtractor/extract(_:)``.
    public func extract(_ messages: [ConversationMessage]) async throws(MemoryError) -> [ExtractedFact] {
        extractSync(messages)
    }

    /// The same, synchronously (rules never block).
    public func extractSync(_ messages: [ConversationMessage]) -> [ExtractedFact] {
        var facts: [ExtractedFact] = []
        var seen: Set<String> = []
        var statedName: String?
        var keptSentences: Set<String> = []
        for (index, message) in messages.enumerated() where message.role.lowercased() == "user" {
            let content = Self.composed(message.content)
            guard let language = rewriter.language(for: content) else { continue }
            let ownWords = !language.facts.isEmpty
            var eventSentences: [String] = []
            for sentence in EventRewriter.sentences(content) {
                // "Em có thích mèo không?" states nothing; English rules need "I", which questions lack.
                if ownWords, rewriter.isQuestion(sentence, language) { continue }
                let clauses = Self.clauses(sentence, bare: language.language is VietnameseTonelessLanguage)
                var matched = 0
                for clause in clauses {
                    let speaker = message.speaker ?? statedName ?? language.language.defaultSpeaker
                    guard
                        var fact = ownWords
                            ? rewriter.fact(in: clause, speaker: EventRewriter.cleanName(speaker), language)
                            : rules.match(clause)
                    else { continue }
                    matched += 1
                    fact.provenance = [message.provenance(index: index)]
                    if !ownWords { fact.text = Self.naming(fact.text, speaker: message.speaker) }
                    if fact.attribute == "name", message.speaker == nil, statedName == nil { statedName = fact.entities.first?.name }
                    // The slot is its speaker's: two people's "my dog is called…" fill two slots.
                    fact.attribute = AttributeSlot.keyed(fact.attribute, speaker: message.speaker)
                    let key = fact.text.lowercased() + (fact.isRetraction ? "/r" : "")
                    if seen.insert(key).inserted { facts.append(fact) }
                }
                // A short sentence a fact rule read ("I like pizza", "I don't have a cat any more") is
                // said by its fact; an event would repeat it and outlive the fact's retraction. Facts in
                // the language's own words say every clause they read, whatever its length.
                let saidByFacts =
                    ownWords
                    ? matched == clauses.count
                    : matched > 0 && sentence.split(whereSeparator: \.isWhitespace).count <= Self.factSentenceWords
                // A sentence said again in the add (a pasted or repeated message) is kept once.
                if !saidByFacts, keptSentences.insert(sentence.lowercased()).inserted { eventSentences.append(sentence) }
            }
            guard keepsEvents, !eventSentences.isEmpty else { continue }
            let speaker = message.speaker ?? statedName
            for event in rewriter.events(sentences: eventSentences, speaker: speaker, time: message.timestamp) {
                let fact = ExtractedFact(
                    text: event.text, provenance: [message.provenance(index: index)], kind: .event,
                    occurredAt: event.occurredAt)
                if seen.insert(event.text.lowercased()).inserted { facts.append(fact) }
            }
        }
        return facts
    }

    /// The longest sentence a fact rule can say whole: longer ones are kept as events too.
    static let factSentenceWords = 8

    /// `text` in canonical composition, so precomposed patterns read text typed with combining marks.
    static func composed(_ text: String) -> String {
        text.utf8.allSatisfy { $0 < 0x80 } ? text : text.precomposedStringWithCanonicalMapping
    }

    /// `text` cut at sentence ends and where a new first-person clause starts ("and I", "và em",
    /// and, in Vietnamese typed without marks, `bare`, "va em").
    static func clauses(_ text: String, bare: Bool = false) -> [String] {
        var text = text.replacingOccurrences(of: "\u{2019}", with: "'")
        var joiners = [" and I ", " and my ", " but I ", " but my ", ", I ", ", my "]
        if bare || text.utf8.contains(where: { $0 >= 0x80 }) {
            let pronouns = ["em", "con", "tôi", "mình", "tớ", "cháu"] + (bare ? ["toi", "minh", "to", "chau"] : [])
            for word in ["và", "nhưng", "còn", "rồi", ","] + (bare ? ["va", "nhung", "roi"] : []) {
                joiners += pronouns.map { word == "," ? ", \($0) " : " \(word) \($0) " }
            }
        }
        for joiner in joiners {
            text = text.replacingOccurrences(
                of: joiner, with: ". " + joiner.split(separator: " ").last! + " ",
                options: .caseInsensitive)
        }
        return text.split(whereSeparator: { ".!?;\n".contains($0) })
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
    }
}

/// The compiled rules.
///
/// `@unchecked Sendable` is safe: every stored property is a `let` set in `init`, and
/// NSRegularExpression is immutable and documented as safe to use from several threads at once.
final class RuleSet: @unchecked Sendable {
    struct Rule {
        let regex: NSRegularExpression
        let build: ([String]) -> ExtractedFact?
    }

    static let shared = RuleSet()
    private let rules: [Rule]

    private init() {
        var rules: [Rule] = []
        func rule(_ pattern: String, _ build: @escaping ([String]) -> ExtractedFact?) {
            // Patterns are constants of this file; a bad one is a programming error caught by the tests.
            if let regex = try? NSRegularExpression(pattern: pattern, options: []) {
                rules.append(Rule(regex: regex, build: build))
            } else {
                assertionFailure("bad rule pattern \(pattern)")
            }
        }
        let name = #"(\p{Lu}[\p{L}'\-]*(?:\s\p{Lu}[\p{L}'\-]*)?)"#
        let pets = "dog|cat|puppy|kitten|hamster|rabbit|bunny|fish|bird|parrot|turtle|guinea pig|pony|horse"
        let kin =
            "mom|mum|mother|dad|father|sister|brother|grandma|grandmother|grandpa|grandfather|aunt|uncle|cousin|best friend|friend|teacher|baby sister|baby brother"
        let singleKin: Set<String> = [
            "mom", "mum", "mother", "dad", "father", "grandma", "grandmother", "grandpa", "grandfather", "teacher", "best friend",
        ]
        let user = "user"

        // Retractions first.
        rule(#"(?i:\bI\s+(?:don't|do not|dont)\s+(?:really\s+)?(like|love|enjoy)\s+)(.+?)(?i:\s+any\s?more)$"#) { c in
            Self.pref(c[1], object: c[2], retraction: true)
        }
        rule(#"(?i:\bI\s+(?:no longer|don't\s+\w+\s+longer)\s+(like|love|enjoy)\s+)(.+)"#) { c in
            Self.pref(c[1], object: c[2], retraction: true)
        }
        rule(#"(?i:\bI\s+(?:stopped|quit)\s+(liking|loving|enjoying)\s+)(.+)"#) { c in
            Self.pref(String(c[1].dropLast(3)) + "e", object: c[2], retraction: true)
        }
        rule(#"(?i:\bI\s+(?:don't|do not|no longer)\s+have\s+(?:a|an|my)\s+)("# + pets + #")(?i:\s+any\s?more)?"#) { c in
            ExtractedFact(text: "Has a \(c[1].lowercased())", attribute: "pet:\(c[1].lowercased())", isRetraction: true)
        }
        // Identity.
        rule(#"(?i:\b(?:my name is|my name's|call me|I am called|I'm called|people call me)\s+)"# + name) { c in
            ExtractedFact(
                text: "Name is \(c[1])", attribute: "name", entities: [GraphEntity(name: c[1], type: "person")],
                relations: [GraphRelation(source: user, relation: "name", target: c[1])])
        }
        rule(#"(?i:\bI(?:'m|\s+am)\s+)(\d{1,3})(?i:\s*(?:years?|yrs?)(?:\s+old)?|$)"#) { c in
            ExtractedFact(text: "Is \(c[1]) years old", attribute: "age")
        }
        rule(#"(?i:\b(?:my birthday is|my birthday's)\s+(?:on\s+)?)(.+)"#) { c in
            Self.clean(c[1]).map { ExtractedFact(text: "Birthday is on \($0)", attribute: "birthday") }
        }
        rule(#"(?i:\bI\s+was\s+born\s+(?:on|in)\s+)(.+)"#) { c in
            Self.clean(c[1]).map { ExtractedFact(text: "Was born on \($0)", attribute: "birthday") }
        }
        rule(#"(?i:\bmy\s+fav(?:ou?rite)?\s+)([\p{L}]+(?:\s[\p{L}]+)?)(?i:\s+is\s+)(.+)"#) { c in
            let what = c[1].lowercased()
            return Self.clean(c[2]).map { value in
                ExtractedFact(
                    text: "Favorite \(what) is \(value)", attribute: "favorite_\(what.replacingOccurrences(of: " ", with: "_"))",
                    entities: [GraphEntity(name: value, type: "thing")],
                    relations: [GraphRelation(source: user, relation: "favorite_\(what)", target: value)])
            }
        }
        // Pets.
        rule(#"(?i:\bI\s+(?:have|got)\s+(?:a|an|one|two|three|\d+)\s+)("# + pets + #")(?i:s?\s+(?:named|called)\s+)"# + name) { c in
            Self.pet(c[1], c[2])
        }
        rule(#"(?i:\bmy\s+)("# + pets + #")(?i:(?:'s name is|\s+is named|\s+is called|\s+name is|\s+is)\s+)"# + name) { c in
            Self.pet(c[1], c[2])
        }
        rule(#"(?i:\bI\s+(?:have|got)\s+(?:a|an|one)\s+)("# + pets + #")\b"#) { c in
            ExtractedFact(
                text: "Has a \(c[1].lowercased())", attribute: "pet:\(c[1].lowercased())",
                relations: [GraphRelation(source: user, relation: "has_pet", target: c[1].lowercased())])
        }
        // Family and friends: "my sister Lan likes cats", "my sister is Lan", "my sister's name is Lan".
        rule(#"(?i:\bmy\s+)("# + kin + #")\s+"# + name + #"(?i:\s+(likes|loves|enjoys|hates)\s+)(.+)"#) { c in
            guard let object = Self.clean(c[4]) else { return nil }
            let kin = c[1].lowercased()
            let person = c[2]
            let verb = c[3].lowercased()
            return ExtractedFact(
                text: "\(kin.capitalized) \(person) \(verb) \(object)", attribute: nil,
                entities: [GraphEntity(name: person, type: "person"), GraphEntity(name: object, type: "thing")],
                relations: [
                    GraphRelation(source: user, relation: kin, target: person),
                    GraphRelation(source: person, relation: verb, target: object),
                ])
        }
        rule(#"(?i:\bmy\s+)("# + kin + #")(?i:(?:'s name is|\s+is named|\s+is called|\s+name is|\s+is)\s+)"# + name) { c in
            let kin = c[1].lowercased()
            return ExtractedFact(
                text: "\(kin.capitalized) is named \(c[2])", attribute: singleKin.contains(kin) ? "family_\(kin)" : nil,
                entities: [GraphEntity(name: c[2], type: "person")],
                relations: [GraphRelation(source: user, relation: kin.replacingOccurrences(of: " ", with: "_"), target: c[2])])
        }
        rule(#"(?i:\bI\s+have\s+(?:a|an|one|two|three|\d+)\s+)((?:older |younger |little |big |baby )?(?:sister|brother|sibling)s?)\b"#) {
            c in
            ExtractedFact(text: "Has a \(c[1].lowercased())", attribute: nil)
        }
        // School, home.
        rule(
            #"(?i:\bI(?:'m|\s+am)\s+in\s+(?:the\s+)?)((?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth)\s+grade|grade\s+\d{1,2})"#
        ) { c in
            ExtractedFact(text: "Is in \(c[1].lowercased())", attribute: "grade")
        }
        rule(#"(?i:\b(?:I\s+go\s+to|I\s+attend|I\s+study\s+at|my\s+school\s+is)\s+)(.+)"#) { c in
            Self.clean(c[1]).map { school in
                ExtractedFact(
                    text: "Goes to \(school)", attribute: "school", entities: [GraphEntity(name: school, type: "school")],
                    relations: [GraphRelation(source: user, relation: "attends", target: school)])
            }
        }
        rule(#"(?i:\bI\s+live\s+in\s+)(.+)"#) { c in
            Self.clean(c[1]).map { place in
                ExtractedFact(
                    text: "Lives in \(place)", attribute: "location", entities: [GraphEntity(name: place, type: "place")],
                    relations: [GraphRelation(source: user, relation: "lives_in", target: place)])
            }
        }
        // Appearance, food, origin, work and study, hobbies, family, possessions, health, beliefs.
        for (pattern, build) in Self.selfStatements() { rule(pattern, build) }
        // Plans (dates stay in the text: "Plans to visit grandma on Saturday").
        rule(
            #"(?i:\bI(?:'ll|\s+will|\s+plan\s+to|\s+want\s+to|\s+am\s+going\s+to|'m\s+going\s+to|'m\s+planning\s+to|\s+am\s+planning\s+to|'m\s+gonna|\s+am\s+gonna)\s+)(.+)"#
        ) { c in
            Self.clean(c[1]).map { ExtractedFact(text: "Plans to \($0)") }
        }
        // Preferences.
        rule(#"(?i:\bI\s+(?:really\s+|also\s+|totally\s+|just\s+)?(?:don't|do not|dont)\s+(?:really\s+)?(?:like|love|enjoy)\s+)(.+)"#) {
            c in
            Self.pref("dislike", object: c[1], retraction: false)
        }
        rule(#"(?i:\bI\s+(?:really\s+|also\s+|totally\s+)?(hate|dislike|can't stand)\s+)(.+)"#) { c in
            Self.pref(c[1].lowercased() == "hate" ? "hate" : "dislike", object: c[2], retraction: false)
        }
        rule(#"(?i:\bI\s+(?:really\s+|also\s+|totally\s+|just\s+|so\s+)?(like|love|enjoy|adore|prefer)\s+)(.+)"#) { c in
            Self.pref(c[1], object: c[2], retraction: false)
        }
        rule(#"(?i:\bI(?:'m|\s+am)\s+(?:a|an)\s+)(.+)"#) { c in
            Self.clean(c[1]).map { ExtractedFact(text: "Is a \($0)") }
        }
        // Third person: "Lan loves cats".
        rule(#"^"# + name + #"(?i:\s+(likes|loves|enjoys|hates)\s+)(.+)"#) { c in
            guard !["I", "He", "She", "They", "We", "It", "You"].contains(c[1]), let object = Self.clean(c[3]) else { return nil }
            let verb = c[2].lowercased()
            return ExtractedFact(
                text: "\(c[1]) \(verb) \(object)", attribute: nil,
                entities: [GraphEntity(name: c[1], type: "person"), GraphEntity(name: object, type: "thing")],
                relations: [GraphRelation(source: c[1], relation: verb, target: object)])
        }
        self.rules = rules
    }

    /// The first rule's fact for `clause`, or nil.
    func match(_ clause: String) -> ExtractedFact? {
        let range = NSRange(clause.startIndex..., in: clause)
        for rule in rules {
            guard let match = rule.regex.firstMatch(in: clause, options: [], range: range) else { continue }
            var captures: [String] = []
            for group in 0..<match.numberOfRanges {
                let r = match.range(at: group)
                captures.append(r.location == NSNotFound ? "" : (Range(r, in: clause).map { String(clause[$0]) } ?? ""))
            }
            if let fact = rule.build(captures) { return fact }
        }
        return nil
    }

    static func pref(_ verb: String, object: String, retraction: Bool) -> ExtractedFact? {
        guard let object = clean(object) else { return nil }
        let word: String
        switch verb.lowercased() {
        case "love": word = "Loves"
        case "enjoy": word = "Enjoys"
        case "adore": word = "Adores"
        case "prefer": word = "Prefers"
        case "hate": word = "Hates"
        case "dislike": word = "Dislikes"
        default: word = "Likes"
        }
        let relation = word.lowercased()
        return ExtractedFact(
            text: "\(word) \(object)", attribute: "pref:\(object.lowercased())", isRetraction: retraction,
            entities: retraction ? [] : [GraphEntity(name: object, type: "thing")],
            relations: retraction ? [] : [GraphRelation(source: "user", relation: relation, target: object)])
    }

    static func pet(_ animal: String, _ name: String) -> ExtractedFact {
        let animal = animal.lowercased()
        return ExtractedFact(
            text: "Has a \(animal) named \(name)", attribute: "pet_name:\(name.lowercased())",
            entities: [GraphEntity(name: name, type: "pet")],
            relations: [
                GraphRelation(source: "user", relation: "has_pet", target: name),
                GraphRelation(source: name, relation: "is_a", target: animal),
            ])
    }

    /// Trims punctuation and filler ("too", "a lot", "very much"); nil when nothing is left.
    static func clean(_ text: String) -> String? {
        var value = text.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
        for filler in [" too", " a lot", " very much", " so much", " as well", " anymore", " any more", " nữa", " lắm"] {
            if value.lowercased().hasSuffix(filler) { value = String(value.dropLast(filler.count)) }
        }
        value = value.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
        guard !value.isEmpty, value.count <= 200 else { return nil }
        return value
    }
}
