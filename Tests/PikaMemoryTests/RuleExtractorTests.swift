import Testing

@testable import PikaMemory

@Suite("Rule extractor")
struct RuleExtractorTests {
    let extractor = RuleExtractor()

    func facts(_ text: String, role: String = "user") -> [ExtractedFact] {
        extractor.extractSync([ConversationMessage(role: role, content: text)])
    }

    @Test func englishFirstPerson() {
        let found = facts("Hi! My name is Minh and I love dinosaurs. I am 8 years old. I have a dog named Max.")
        #expect(found.map(\.text) == ["Name is Minh", "Loves dinosaurs", "Is 8 years old", "Has a dog named Max"])
        #expect(found[0].attribute == "name")
        #expect(found[1].attribute == "pref:dinosaurs")
        #expect(found[3].relations.contains(GraphRelation(source: "user", relation: "has_pet", target: "Max")))
        #expect(found.allSatisfy { $0.provenance == ["msg:0"] })
    }

    @Test func familySchoolPlansFavourites() {
        let found = facts(
            "My sister is named Lan. I go to Sunrise Elementary. I'm in 3rd grade. My favorite color is blue. I'm going to visit grandma on Saturday. My birthday is on May 3rd."
        )
        #expect(
            found.map(\.text) == [
                "Sister is named Lan", "Goes to Sunrise Elementary", "Is in 3rd grade", "Favorite color is blue",
                "Plans to visit grandma on Saturday", "Birthday is on May 3rd",
            ])
        #expect(found[3].attribute == "favorite_color")
    }

    @Test func thirdPersonAndRetraction() {
        #expect(facts("My brother Tom loves football.").first?.text == "Brother Tom loves football")
        #expect(facts("Lan likes cats.").first?.text == "Lan likes cats")
        let retraction = facts("I don't like pizza anymore.")
        #expect(retraction.first?.isRetraction == true)
        #expect(retraction.first?.attribute == "pref:pizza")
        #expect(facts("I don't like broccoli.").first?.text == "Dislikes broccoli")
    }

    @Test func vietnamese() {
        let found = facts("Tên em là Minh. Em thích khủng long. Em 8 tuổi. Em có con chó tên Mực.")
        #expect(found.map(\.text) == ["Tên là Minh", "Minh thích khủng long", "Minh 8 tuổi", "Minh có con chó tên Mực"])
        #expect(found.map(\.attribute) == ["name", "pref:khủng long", "age", "pet_name:mực"])
    }

    @Test func ignoresAssistantAndSmallTalk() {
        #expect(facts("I love helping you!", role: "assistant").isEmpty)
        #expect(facts("hello there, how are you?").isEmpty)
    }

    @Test func provenanceFromMessageMetadata() {
        let found = extractor.extractSync([
            ConversationMessage(role: "user", content: "I like cats", metadata: ["dia_id": .string("D1:3")])
        ])
        #expect(found.first?.provenance == ["D1:3"])
    }
}
