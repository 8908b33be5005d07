import Testing

@testable import PikaMemory

/// First-person facts beyond a child's favourites: appearance, food, origin, work and study, hobbies
/// and how often, family, possessions, health and beliefs, each in its slot.
@Suite struct SelfStatementTests {
    func facts(_ text: String, speaker: String? = nil) -> [ExtractedFact] {
        RuleExtractor(events: false).extractSync([ConversationMessage(role: "user", content: text, name: speaker)])
    }

    @Test(arguments: [
        ("I'm 5'8\" tall.", "Is 5'8\" tall", "height"),
        ("I am about 180 cm tall.", "Is 180 cm tall", "height"),
        ("I'm pretty tall", "Is pretty tall", "height"),
        ("I have long curly brown hair.", "Has long curly brown hair", "hair"),
        ("My hair is dyed pink these days.", "Hair is dyed pink these days", "hair"),
        ("I have green eyes", "Has green eyes", "eyes"),
        ("I'm vegetarian.", "Is vegetarian", "diet"),
        ("I'm a vegan", "Is vegan", "diet"),
        ("I'm allergic to peanuts.", "Is allergic to peanuts", "allergy:peanuts"),
        ("I don't eat pork.", "Does not eat pork", "food:pork"),
        ("I avoid dairy", "Does not eat dairy", "food:dairy"),
        ("I'm originally from Lyon.", "Is from Lyon", "origin"),
        ("I come from a small town in Ohio", "Is from a small town in Ohio", "origin"),
        ("I grew up in Busan.", "Grew up in Busan", "origin"),
        ("I work as a nurse at the city hospital.", "Works as a nurse at the city hospital", "job"),
        ("My job is teaching maths", "Job is teaching maths", "job"),
        ("I work for a small design studio.", "Works at a small design studio", "employer"),
        ("I'm studying psychology.", "Studies psychology", "study"),
        ("I major in computer science", "Studies computer science", "study"),
        ("I'm retired.", "Is retired", "job"),
        ("I play tennis every Sunday.", "Plays tennis every Sunday", "hobby:play tennis"),
        ("I go swimming twice a week", "Goes swimming twice a week", "hobby:go swimming"),
        ("I usually do yoga every morning.", "Does yoga every morning", "hobby:do yoga"),
        ("I paint on weekends", "Paints on weekends", "hobby:paint"),
        ("My hobbies are knitting and birdwatching.", "Has hobbies: knitting and birdwatching", "hobbies"),
        ("I'm married to Sam.", "Is married to Sam", "marital"),
        ("I'm divorced", "Is divorced", "marital"),
        ("I have two kids.", "Has two kids", "children"),
        ("I have a teenage daughter", "Has a teenage daughter", "children"),
        ("I have asthma.", "Has asthma", "health:asthma"),
        ("I was diagnosed with type 2 diabetes last year", "Has type 2 diabetes", "health:type 2 diabetes"),
        ("I'm colorblind", "Is colorblind", "health:colorblind"),
        ("I believe in karma.", "Believes in karma", "belief:karma"),
        ("I'm a Buddhist", "Is Buddhist", "religion"),
        ("I'm agnostic.", "Is agnostic", "religion"),
    ])
    func aStatementFillsItsSlot(sentence: String, text: String, attribute: String) throws {
        let found = facts(sentence)
        let fact = try #require(found.first, "nothing from: \(sentence)")
        #expect(found.count == 1, "\(found.map(\.text))")
        #expect(fact.text == text)
        #expect(fact.attribute == attribute)
        #expect(fact.kind == .fact)
    }

    @Test func ownershipIsAFactWithARelation() throws {
        let fact = try #require(facts("I own a red vintage Vespa.").first)
        #expect(fact.text == "Owns a red vintage Vespa")
        #expect(fact.relations == [GraphRelation(source: "user", relation: "owns", target: "a red vintage Vespa")])
    }

    @Test(arguments: [
        "I'm short on time today.", "I play it safe.", "I have no idea.", "I work out.", "I have a hair appointment at noon.",
        "I drive to work every day.", "I believe in you!",
    ])
    func nearMissesFillNoSuchSlot(sentence: String) {
        let slots = [
            "height", "hair", "eyes", "diet", "allergy:", "food:", "origin", "job", "employer", "study", "hobby", "marital",
            "children", "health:", "belief:", "religion",
        ]
        let filled = facts(sentence).compactMap(\.attribute).filter { attribute in slots.contains { attribute.hasPrefix($0) } }
        #expect(filled.isEmpty, "\(sentence): \(filled)")
    }

    @Test func aNamedSpeakersFactIsNamed() throws {
        let fact = try #require(facts("I work as a paramedic.", speaker: "Ana").first)
        #expect(fact.text == "Ana works as a paramedic")
        #expect(fact.attribute == "@ana|job")  // Ana's slot (AttributeSlot)
        let hobby = try #require(facts("I go climbing every weekend.", speaker: "Ana").first)
        #expect(hobby.text == "Ana goes climbing every weekend")
    }
}
