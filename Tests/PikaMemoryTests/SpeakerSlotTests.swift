import Foundation
import Logging
import PikaEmbeddings
import PikaTestSupport
import Testing

@testable import PikaMemory
@testable import PikaRelational

/// A fact's slot belongs to its subject, the speaker of its message (``AttributeSlot``): two people
/// of one conversation keep their own slots, each updates only theirs, the user's unnamed facts keep
/// the slots they always had.
@Suite struct SpeakerSlotTests {
    let scope = MemoryScope(tenant: "t", userID: "conversation")

    func manager() async throws -> MemoryManager { try await sqliteManager(label: "speaker-slots") }

    func say(_ manager: MemoryManager, _ text: String, by name: String?) async throws -> [AddResult] {
        try await manager.add(AddInput(messages: [ConversationMessage(role: "user", content: text, name: name)]), scope: scope)
    }

    func slots(_ manager: MemoryManager) async throws -> [String: String] {
        var slots: [String: String] = [:]
        for record in try await manager.store.allRecords(scope: scope) {
            if let attribute = record.attribute { slots[attribute] = record.text }
        }
        return slots
    }

    @Test func twoSpeakersWithTheSameSlotAreBothKept() async throws {
        let manager = try await manager()
        #expect(try await say(manager, "My favorite color is blue.", by: "Ana").map(\.event) == [.add])
        #expect(try await say(manager, "My favorite color is green.", by: "Ben").map(\.event) == [.add])
        #expect(try await say(manager, "I'm 34 years old.", by: "Ana").map(\.event) == [.add])
        #expect(try await say(manager, "I'm 41 years old.", by: "Ben").map(\.event) == [.add])
        #expect(
            try await slots(manager) == [
                "@ana|favorite_color": "Ana's favorite color is blue", "@ben|favorite_color": "Ben's favorite color is green",
                "@ana|age": "Ana is 34 years old", "@ben|age": "Ben is 41 years old",
            ])
    }

    @Test func theSameSpeakerStillUpdatesTheirSlot() async throws {
        let manager = try await manager()
        _ = try await say(manager, "My favorite color is blue.", by: "Ana")
        _ = try await say(manager, "My favorite color is green.", by: "Ben")
        // However the name is written, it is the same person.
        let update = try await say(manager, "My favorite color is red.", by: " ana ")
        #expect(update.map(\.event) == [.update])
        #expect(
            try await slots(manager) == [
                "@ana|favorite_color": "ana's favorite color is red", "@ben|favorite_color": "Ben's favorite color is green",
            ])
        let history = try await manager.store.history(memoryID: update[0].id, tenant: scope.tenant)
        #expect(history.map(\.event) == [.add, .update])
    }

    @Test func aRetractionTouchesOnlyItsSpeakersMemories() async throws {
        let manager = try await manager()
        _ = try await say(manager, "I like pizza.", by: "Ana")
        // Ben's retraction matches no memory of his: Ana's close "Ana likes pizza" is not his to delete.
        #expect(try await say(manager, "I don't like pizza anymore.", by: "Ben").map(\.event) == [.none])
        #expect(try await slots(manager) == ["@ana|pref:pizza": "Ana likes pizza"])
        #expect(try await say(manager, "I don't like pizza anymore.", by: "Ana").map(\.event) == [.delete])
        #expect(try await slots(manager).isEmpty)
    }

    @Test func theUsersOwnFactsKeepTodaysSlots() async throws {
        let manager = try await manager()
        #expect(try await say(manager, "My favorite color is blue.", by: nil).map(\.event) == [.add])
        #expect(try await say(manager, "I love dinosaurs.", by: nil).map(\.event) == [.add])
        #expect(try await slots(manager) == ["favorite_color": "Favorite color is blue", "pref:dinosaurs": "Loves dinosaurs"])
        // "User" is the user too: the same slot, updated.
        #expect(try await say(manager, "My favorite color is green.", by: "User").map(\.event) == [.update])
        // A named speaker beside them has a slot of their own.
        #expect(try await say(manager, "My favorite color is red.", by: "Ana").map(\.event) == [.add])
        let slots = try await slots(manager)
        #expect(Set(slots.keys) == ["favorite_color", "pref:dinosaurs", "@ana|favorite_color"])
    }

    /// A query naming one speaker finds their fact first (the speaker boost over the named texts).
    @Test func aSearchNamingASpeakerFindsTheirSlot() async throws {
        let manager = try await manager()
        _ = try await say(manager, "My favorite color is blue.", by: "Ana")
        _ = try await say(manager, "My favorite color is green.", by: "Ben")
        for (name, color) in [("Ana", "blue"), ("Ben", "green")] {
            let found = try await manager.search(SearchQuery(text: "What is \(name)'s favorite color?", scope: scope))
            #expect(found.results.first?.record.text == "\(name)'s favorite color is \(color)")
        }
    }

    @Test func exportAndImportKeepWhoseSlotItIs() async throws {
        let manager = try await manager()
        _ = try await say(manager, "My favorite color is blue.", by: "Ana")
        _ = try await say(manager, "My favorite color is green.", by: "Ben")
        _ = try await say(manager, "My favorite color is yellow.", by: nil)
        let lines = try await manager.export(scope)
        #expect(Set(lines.compactMap(\.attribute)) == ["@ana|favorite_color", "@ben|favorite_color", "favorite_color"])
        let reparsed = try lines.map { try #require(ExportLine.parse(try $0.jsonLine())) }
        #expect(reparsed == lines)
        let other = try await self.manager()
        _ = try await other.importLines(reparsed, scope: scope)
        #expect(try await slots(other) == slots(manager))
        // The imported slots are found again: Ben's new colour updates Ben's imported memory only.
        let ben = try await say(other, "My favorite color is purple.", by: "Ben")
        #expect(ben.map(\.event) == [.update])
        #expect(ben.first?.id == lines.first { $0.attribute == "@ben|favorite_color" }?.id)
        #expect(
            try await slots(other) == [
                "@ana|favorite_color": "Ana's favorite color is blue", "@ben|favorite_color": "Ben's favorite color is purple",
                "favorite_color": "Favorite color is yellow",
            ])
    }

    @Test func theSummaryAnswersWithEverySpeakersFavourite() throws {
        let now = Date()
        func record(_ text: String, _ attribute: String, age: TimeInterval) -> MemoryRecord {
            MemoryRecord(
                id: text, scope: scope, text: text, attribute: attribute, createdAt: now - age, updatedAt: now - age)
        }
        let records = [
            record("Ana's favorite color is blue", "@ana|favorite_color", age: 30),
            record("Ben's favorite color is green", "@ben|favorite_color", age: 10),
            record("Favorite color is yellow", "favorite_color", age: 60),
            record("Ana likes pizza", "@ana|pref:pizza", age: 5),
            record("Ben dislikes olives", "@ben|pref:olives", age: 5),
            record("Ben's favorite food is ramen", "@ben|favorite_food", age: 1),
        ]
        let summary = FavoriteSummary(records: records, version: "v1")
        func texts(_ question: PreferenceQuestion) -> [String]? { summary.answer(question, limit: 10)?.map(\.record.text) }
        // The user's own first, then each speaker's, most recent first.
        #expect(
            texts(.favorite(topic: "color"))
                == ["Favorite color is yellow", "Ben's favorite color is green", "Ana's favorite color is blue"])
        #expect(texts(.favorite(topic: "foods")) == ["Ben's favorite food is ramen"])
        #expect(texts(.favorite(topic: "song")) == nil)
        #expect(texts(.likes)?.contains("Ana likes pizza") == true)
        #expect(texts(.dislikes) == ["Ben dislikes olives"])
        #expect(summary.favoriteTopics == ["color", "food"])
        // Stored and read back, as L2 keeps it; a summary stored before speakers had slots still reads.
        #expect(FavoriteSummary(json: summary.json) == summary)
        let older = FavoriteSummary(records: [records[2]], version: "v0")
        #expect(
            FavoriteSummary(json: older.json)?.answer(.favorite(topic: "colors"), limit: 3)?.map(\.record.text) == [
                "Favorite color is yellow"
            ])
    }

    @Test func attributeStrings() {
        #expect(AttributeSlot("favorite_color") == AttributeSlot(subject: nil, slot: "favorite_color"))
        #expect(AttributeSlot("@ana|pref:rock|pop") == AttributeSlot(subject: "ana", slot: "pref:rock|pop"))
        // Stored before subjects existed, or odd: read as the user's own.
        #expect(AttributeSlot("@handle").subject == nil && AttributeSlot("@handle").slot == "@handle")
        #expect(AttributeSlot("@|age") == AttributeSlot(subject: nil, slot: "age"))
        #expect(AttributeSlot(subject: "ana", slot: "age").attribute == "@ana|age")
        #expect(AttributeSlot.keyed("age", speaker: nil) == "age")
        #expect(AttributeSlot.keyed("age", speaker: "  ") == "age")
        #expect(AttributeSlot.keyed("age", speaker: "user") == "age")
        #expect(AttributeSlot.keyed("age", speaker: "Mary|Jane Lee") == "@maryjane lee|age")
        #expect(AttributeSlot.keyed(nil, speaker: "Ana") == nil)
        #expect(AttributeSlot.differentSubjects("@ana|age", "@ben|age"))
        #expect(AttributeSlot.differentSubjects("@ana|age", "age"))
        #expect(!AttributeSlot.differentSubjects("@ana|age", "@ana|name"))
        #expect(!AttributeSlot.differentSubjects("@ana|age", nil))
    }

    @Test func theLLMParserKeysSlotsByTheSourceSpeaker() throws {
        let messages = [
            ConversationMessage(role: "user", content: "My dog is called Max.", name: "Ana"),
            ConversationMessage(role: "user", content: "Mine is called Bella.", name: "Ben"),
        ]
        let answer = #"""
            {"facts":[{"kind":"fact","text":"Has a dog named Max","attribute":"Pet_Name","sources":[0]},
            {"kind":"fact","text":"Has a dog named Bella","attribute":"@ana|pet_name","sources":[1]},
            {"kind":"fact","text":"Likes walks","attribute":"pref:walks"},
            {"kind":"event","text":"Ana walked Max.","attribute":"walk","sources":[0]}]}
            """#
        let facts = try LLMExtractor.parseFacts(answer, messages: messages)
        #expect(facts.map(\.text) == ["Ana has a dog named Max", "Ben has a dog named Bella", "Likes walks", "Ana walked Max."])
        // A model's "@" never claims another speaker's slot; without a source in a two-speaker add
        // the fact is nobody's in particular (the user's slot); events have no slot.
        #expect(facts.map(\.attribute) == ["@ana|pet_name", "@ben|ana|pet_name", "pref:walks", nil])
        // One speaker throughout: their slot, source or not.
        let alone = try LLMExtractor.parseFacts(
            #"{"facts":[{"text":"Likes walks","attribute":"pref:walks"}]}"#, messages: [messages[0]])
        #expect(alone.map(\.attribute) == ["@ana|pref:walks"] && alone.map(\.text) == ["Ana likes walks"])
    }
}
