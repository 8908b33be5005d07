import Foundation

/// First-person statements beyond a child's favourites, in the ordinary phrasings of adult and child
/// conversation: appearance, food eaten or avoided, where the speaker is from, work and study,
/// hobbies and how often, family, possessions, health and beliefs. Each fills a slot (its
/// attribute), so a later statement of the same slot updates the memory instead of adding another.
extension RuleSet {
    /// One pattern and the fact it states; the captures are the match's groups, 0 the whole match.
    typealias SelfPattern = (pattern: String, build: ([String]) -> ExtractedFact?)

    /// Where "I'm/I am" begins a clause (contractions were normalised to an ASCII apostrophe).
    static let iAm = #"\bI(?:'m|\s+am)\s+"#

    /// Activities whose frequency makes a hobby ("I play tennis every Sunday").
    static let hobbyVerbs =
        "play|go|do|practi[cs]e|run|swim|paint|draw|cook|bake|dance|sing|read|write|hike|cycle|ride|knit|garden|volunteer|meditate|climb|surf|ski|fish|jog|train|work out"

    /// How often ("every Sunday", "twice a week", "on weekends").
    static let frequency =
        #"every\s+(?:other\s+)?(?:day|morning|evening|night|week|weekend|month|year|summer|winter|\p{L}+day)|each\s+(?:day|week|weekend|month|\p{L}+day)|(?:once|twice|(?:three|four|five|\d+)\s+times)\s+(?:a|per)\s+(?:day|week|month|year)|daily|weekly|monthly|on\s+(?:weekends|\p{L}+days)|at\s+weekends|most\s+(?:days|weekends|evenings|mornings)"#

    /// Health conditions a speaker says they have.
    static let conditions =
        "asthma|diabetes|type [12] diabetes|arthritis|migraines|epilepsy|ADHD|autism|dyslexia|anxiety|depression|celiac disease|coeliac disease|high blood pressure|a heart condition|long covid|insomnia|eczema|hay fever|allergies|a bad back|cancer|PTSD|OCD"

    /// The patterns, in the order they are tried (before the plans, preferences and "I am a…").
    static func selfStatements() -> [SelfPattern] {
        [
            // Appearance.
            (
                #"(?i:"# + iAm
                    + #"(?:about\s+|around\s+)?)(\d(?:'\s?\d{1,2}"?|\s?(?:ft|feet|foot)(?:\s?\d{1,2}(?:\s?(?:in|inches))?)?)|\d{3}\s?cm|\d(?:\.\d{1,2})?\s?m)(?i:\s+tall)?\b"#,
                { c in ExtractedFact(text: "Is \(c[1]) tall", attribute: "height") }
            ),
            (
                #"(?i:"# + iAm
                    + #"(very\s+|quite\s+|pretty\s+|really\s+|rather\s+|fairly\s+)?(tall|short))(?i:\s+for\s+(?:my|a)\s+\p{L}+)?\s*$"#,
                { c in ExtractedFact(text: "Is \(c[1].lowercased())\(c[2].lowercased())", attribute: "height") }
            ),
            (
                #"(?i:\bI\s+have\s+)((?:[\p{L}-]+,?\s+){0,3})(?i:hair)"# + clauseEnd,
                { c in adjectives(c[1]).map { ExtractedFact(text: "Has \($0) hair", attribute: "hair") } }
            ),
            (
                #"(?i:\bmy\s+hair\s+is\s+)(.+)"#,
                { c in clean(c[1]).map { ExtractedFact(text: "Hair is \($0)", attribute: "hair") } }
            ),
            (
                #"(?i:\bI\s+have\s+)((?:[\p{L}-]+,?\s+){1,2})(?i:eyes)"# + clauseEnd,
                { c in adjectives(c[1]).map { ExtractedFact(text: "Has \($0) eyes", attribute: "eyes") } }
            ),
            (
                #"(?i:\bmy\s+eyes\s+are\s+)(.+)"#,
                { c in clean(c[1]).map { ExtractedFact(text: "Eyes are \($0)", attribute: "eyes") } }
            ),
            // Food eaten and avoided.
            (
                #"(?i:"# + iAm
                    + #"(?:a\s+|strictly\s+|mostly\s+)?)(?i:(vegetarian|vegan|pescatarian|gluten[- ]free|lactose[- ]intolerant|keto|halal|kosher))\b"#,
                { c in ExtractedFact(text: "Is \(c[1].lowercased())", attribute: "diet") }
            ),
            (
                #"(?i:"# + iAm + #"(?:very\s+|severely\s+|a\s+bit\s+)?allergic\s+to\s+)(.+)"#,
                { c in clean(c[1]).map { ExtractedFact(text: "Is allergic to \($0)", attribute: "allergy:\($0.lowercased())") } }
            ),
            (
                #"(?i:\bI\s+(?:don't|do not|never|can't|cannot|won't)\s+eat\s+|\bI\s+avoid\s+(?:eating\s+)?)(.+)"#,
                { c in clean(c[1]).map { ExtractedFact(text: "Does not eat \($0)", attribute: "food:\($0.lowercased())") } }
            ),
            // Where the speaker is from.
            (
                #"(?i:"# + iAm + #"(?:originally\s+)?from\s+|\bI\s+(?:originally\s+)?(?:come|came)\s+from\s+)(.+)"#,
                { c in clean(c[1]).map { place(text: "Is from \($0)", place: $0, attribute: "origin", relation: "from") } }
            ),
            (
                #"(?i:\bI\s+grew\s+up\s+in\s+)(.+)"#,
                { c in clean(c[1]).map { place(text: "Grew up in \($0)", place: $0, attribute: "origin", relation: "grew_up_in") } }
            ),
            // Work and study.
            (
                #"(?i:\bmy\s+job\s+is\s+)(.+)"#,
                { c in clean(c[1]).map { ExtractedFact(text: "Job is \($0)", attribute: "job") } }
            ),
            (
                #"(?i:\bI\s+work\s+as\s+|\bI(?:'m|\s+am)\s+working\s+as\s+)(.+)"#,
                { c in clean(c[1]).map { ExtractedFact(text: "Works as \($0)", attribute: "job") } }
            ),
            (
                #"(?i:\bI\s+work\s+(?:at|for)\s+|\bI(?:'m|\s+am)\s+working\s+(?:at|for)\s+)(.+)"#,
                { c in clean(c[1]).map { place(text: "Works at \($0)", place: $0, attribute: "employer", relation: "works_at") } }
            ),
            (
                #"(?i:"# + iAm + #"(?:studying|majoring\s+in)\s+(?!for\b)|\bI\s+(?:study|major\s+in)\s+(?!at\b|for\b))(.+)"#,
                { c in clean(c[1]).map { ExtractedFact(text: "Studies \($0)", attribute: "study") } }
            ),
            (
                #"(?i:"# + iAm + #"(?:a\s+)?)(?i:(retired|unemployed|self-employed|between jobs))\b"#,
                { c in ExtractedFact(text: "Is \(c[1].lowercased())", attribute: "job") }
            ),
            // Hobbies and how often.
            (
                #"(?i:\bI\s+(?:usually\s+|often\s+|also\s+|still\s+)?)("# + hobbyVerbs + #")\s+(.*?)\s*\b("# + frequency + #")\b"#,
                { c in hobby(verb: c[1], object: c[2], often: c[3]) }
            ),
            (
                #"(?i:\bmy\s+hobb(?:y\s+is|ies\s+are)\s+)(.+)"#,
                { c in clean(c[1]).map { ExtractedFact(text: "Has hobbies: \($0)", attribute: "hobbies") } }
            ),
            // Family.
            (
                #"(?i:"# + iAm + #"(?:happily\s+)?)(?i:(married|single|divorced|engaged|widowed|separated))(?i:\s+to\s+)?"# + nameGroup,
                { c in
                    let status = c[1].lowercased()
                    return c[2].isEmpty
                        ? ExtractedFact(text: "Is \(status)", attribute: "marital")
                        : place(
                            text: "Is \(status) to \(c[2])", place: c[2], attribute: "marital", relation: "\(status)_to", type: "person")
                }
            ),
            (
                #"(?i:\bI\s+have\s+)((?:a|an|one|two|three|four|five|six|\d+)\s+(?:(?:little|young|grown|grown-up|teenage|adult)\s+)?(?:kids?|children|child|sons?|daughters?|grandchildren|grandkids))\b"#,
                { c in ExtractedFact(text: "Has \(c[1].lowercased())", attribute: "children") }
            ),
            // Possessions.
            (
                #"(?i:\bI\s+(?:own|drive)\s+)((?i:a|an|my|two|three|\d+)\s+.+)"#,
                { c in
                    clean(c[1]).map { thing in
                        ExtractedFact(
                            text: "Owns \(thing)", attribute: nil, entities: [GraphEntity(name: thing, type: "thing")],
                            relations: [GraphRelation(source: "user", relation: "owns", target: thing)])
                    }
                }
            ),
            // Health.
            (
                #"(?i:\bI\s+(?:have|suffer\s+from|was\s+diagnosed\s+with|got\s+diagnosed\s+with|live\s+with)\s+)("# + conditions + #")\b"#,
                { c in ExtractedFact(text: "Has \(c[1])", attribute: "health:\(c[1].lowercased())") }
            ),
            (
                #"(?i:"# + iAm + #")(?i:(diabetic|asthmatic|colou?r-?blind|deaf|hard of hearing|pregnant|epileptic|autistic|dyslexic))\b"#,
                { c in ExtractedFact(text: "Is \(c[1].lowercased())", attribute: "health:\(c[1].lowercased())") }
            ),
            // Beliefs.
            (
                #"(?i:\bI\s+(?:really\s+|strongly\s+|truly\s+)?believe\s+in\s+)(?!(?i:you|yourself)\b)(.+)"#,
                { c in clean(c[1]).map { ExtractedFact(text: "Believes in \($0)", attribute: "belief:\($0.lowercased())") } }
            ),
            (
                #"(?i:"# + iAm
                    + #"(?:a\s+|an\s+|(?:very|quite|deeply)\s+)?)(?i:(Christian|Catholic|Protestant|Muslim|Buddhist|Hindu|Jewish|Sikh|atheist|agnostic|religious|spiritual|Mormon))\b"#,
                { c in
                    ExtractedFact(
                        text: "Is \(properReligions.contains(c[1].lowercased()) ? c[1].capitalized : c[1].lowercased())",
                        attribute: "religion")
                }
            ),
        ]
    }

    /// Where a clause ends after an appearance word ("…brown hair", "…hair and…"), so "a hair appointment" is not one.
    static let clauseEnd = #"(?:\s*$|\s*,|\s+and\b)"#

    /// Beliefs written with a capital ("Is Buddhist"); the rest are adjectives ("Is agnostic").
    static let properReligions: Set<String> = [
        "christian", "catholic", "protestant", "muslim", "buddhist", "hindu", "jewish", "sikh", "mormon",
    ]

    /// An optional capitalised name after the pattern ("married to Sam"); empty when absent.
    static let nameGroup = #"(\p{Lu}[\p{L}'\-]*(?:\s\p{Lu}[\p{L}'\-]*)?)?"#

    /// The words before "hair"/"eyes" ("long, curly brown"), lower-cased; nil when there are none.
    static func adjectives(_ words: String) -> String? {
        let value = words.replacingOccurrences(of: ",", with: "").split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return value.isEmpty ? nil : value.lowercased()
    }

    /// A fact naming a place or person, with its graph entity and the user's relation to it.
    static func place(text: String, place: String, attribute: String, relation: String, type: String = "place") -> ExtractedFact {
        ExtractedFact(
            text: text, attribute: attribute, entities: [GraphEntity(name: place, type: type)],
            relations: [GraphRelation(source: "user", relation: relation, target: place)])
    }

    /// "I play tennis every Sunday" → "Plays tennis every Sunday", slot `hobby:play tennis`.
    static func hobby(verb: String, object: String, often: String) -> ExtractedFact? {
        let verb = verb.lowercased()
        let object = object.trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters))
        let third: String
        switch verb {
        case "go", "do": third = verb + "es"
        case "work out": third = "works out"
        default: third = verb.hasSuffix("sh") || verb.hasSuffix("ch") ? verb + "es" : verb + "s"
        }
        let activity = object.isEmpty ? verb : "\(verb) \(object.lowercased())"
        let said = object.isEmpty ? third : "\(third) \(object)"
        return ExtractedFact(text: "\(said.prefix(1).uppercased())\(said.dropFirst()) \(often)", attribute: "hobby:\(activity)")
    }
}
