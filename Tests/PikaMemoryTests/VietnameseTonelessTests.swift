import Foundation
import Testing

@testable import PikaMemory

/// Vietnamese typed without its marks, wholly or in part, as children type it: the same facts and
/// events as the toned text, toned Vietnamese and English read as before.
@Suite struct VietnameseTonelessTests {
    static let sunday = VietnameseExtractionTests.sunday

    func extract(_ text: String, name: String? = nil, time: Date? = sunday) -> [ExtractedFact] {
        RuleExtractor().extractSync([ConversationMessage(role: "user", content: text, name: name, timestamp: time)])
    }

    func texts(_ text: String, name: String? = "Lan") -> [String] { extract(text, name: name).map(\.text) }

    @Test func aNameAndALikeTypedWithoutTones() {
        let facts = extract("em ten la Lan, em thich meo")
        #expect(facts.map(\.text) == ["Tên là Lan", "Lan thich meo"])
        // The bare "meo" fills the slot the toned word does, so "mèo" said later replaces it.
        #expect(facts.map(\.attribute) == ["name", "pref:mèo"])
        #expect(facts[0].relations == [GraphRelation(source: "user", relation: "name", target: "Lan")])
    }

    @Test(arguments: [
        "em ten la Lan, em thich mèo", "em tên la Lan, em thich meo", "Em ten là Lan. Em thích meo.",
        "em ten lan, em thich meo lam a",
    ])
    func mixedMarksGiveTheSameFacts(message: String) {
        let facts = extract(message)
        #expect(facts.map(\.attribute) == ["name", "pref:mèo"], "\(message)")
        #expect(facts.first?.text == "Tên là Lan", "\(message)")
    }

    @Test func schoolGradeAgeAndPetWithoutTones() {
        #expect(extract("toi hoc lop 3 o truong Hoa Sen", name: "Lan").map(\.attribute) == ["@lan|school"])
        #expect(texts("toi hoc lop 3 o truong Hoa Sen") == ["Lan hoc lop 3 o truong Hoa Sen"])
        #expect(extract("minh 8 tuoi roi", name: "Lan").map(\.attribute) == ["@lan|age"])
        let pet = extract("em co con cho to lam", name: "Lan")
        // Bare "to" after a word is "big", not the first person "tớ".
        #expect(pet.map(\.text) == ["Lan co con cho to"])
        #expect(pet.map(\.attribute) == ["@lan|pet:chó"])  // Lan's slot (AttributeSlot)
        #expect(extract("em thich mau xanh nhat", name: "Lan").map(\.attribute) == ["@lan|favorite_color"])
    }

    @Test func bareFirstPersonForms() {
        #expect(texts("to thich meo") == ["Lan thich meo"])
        #expect(texts("chau thich choi bong da") == ["Lan thich choi bong da"])
        // "Minh" with a capital is a friend's name; said by Lan, it is not Lan's fact.
        #expect(!texts("Minh thich meo lam").contains("Lan thich meo"))
        #expect(texts("ban minh thich meo, minh thich cho").contains("Lan thich cho"))
    }

    @Test func aDatedOutingWithoutTones() throws {
        let facts = extract("hom qua em di so thu voi ba noi", name: "Lan")
        #expect(facts.map(\.text) == ["Ngày 5/12/2026 Lan di so thu voi ba noi"])
        #expect(facts.first?.kind == .event)
        #expect(facts.first?.occurredAt == VietnameseExtractionTests.date(2026, 12, 5, hour: 0))
        #expect(
            extract("thu sau tuan truoc em di boi", name: "Lan").first?.occurredAt == VietnameseExtractionTests.date(2026, 12, 4, hour: 0))
    }

    @Test func aSearchTypedWithoutTonesNamesItsTime() throws {
        let span = try #require(TemporalQuery.span(in: "hom qua em lam gi?", reference: Self.sunday))
        #expect(span.day == VietnameseExtractionTests.date(2026, 12, 5, hour: 0))
    }

    @Test func tonedVietnameseAndEnglishReadAsBefore() {
        let rewriter = EventRewriter.shared
        #expect(rewriter.language(for: "Em thích mèo và em học lớp 3.")?.language.code == "vi")
        for english in ["I have ten cats and I like them", "La La Land is my favourite film", "I love pho", "to be or not to be"] {
            #expect(rewriter.language(for: english)?.language.code == "en", "\(english)")
        }
        #expect(texts("Minh thích mèo.", name: "Lan").isEmpty)
        #expect(texts("Mình thích mèo.") == ["Lan thích mèo"])
        #expect(extract("I have ten cats", name: "Lan").map(\.text) != [])
    }

    @Test func patternsAcceptBareLettersButNotOtherTones() throws {
        let regex = try NSRegularExpression(pattern: VietnameseTonelessLanguage.tolerant(#"\bthích\s[ăâ]"#), options: [.caseInsensitive])
        func matches(_ text: String) -> Bool { regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil }
        #expect(matches("thích a") && matches("thich ă") && matches("THICH Â"))
        #expect(!matches("thịch a"))
    }
}
