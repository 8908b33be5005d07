import Foundation
import Testing

@testable import PikaMemory

/// Vietnamese facts and events written in Vietnamese: the child's word orders, the first-person
/// forms, dates resolved against the message time, small talk dropped.
@Suite struct VietnameseExtractionTests {
    /// Sunday 6 December 2026, 09:00 in Hanoi.
    static let sunday = date(2026, 12, 6, hour: 2)

    static func date(_ year: Int, _ month: Int, _ day: Int, hour: Int = 12) -> Date {
        DateShift.calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour))!
    }

    func extract(_ text: String, name: String? = nil, time: Date? = sunday) -> [ExtractedFact] {
        RuleExtractor().extractSync([ConversationMessage(role: "user", content: text, name: name, timestamp: time)])
    }

    func texts(_ text: String, name: String? = "Lan", time: Date? = sunday) -> [String] {
        extract(text, name: name, time: time).map(\.text)
    }

    @Test func theIssuesExampleKeepsNameLikeSchoolAndTheDatedOuting() throws {
        let facts = extract("Em tên là Lan. Em thích mèo và em học lớp 3 ở trường Hoa Sen. Hôm qua em đi sở thú với bà.")
        #expect(
            facts.map(\.text) == [
                "Tên là Lan", "Lan thích mèo", "Lan học lớp 3 ở trường Hoa Sen",
                "Ngày 5/12/2026 Lan đi sở thú với bà.",
            ])
        #expect(facts.map(\.attribute) == ["name", "pref:mèo", "school", nil])
        #expect(facts.map(\.kind) == [.fact, .fact, .fact, .event])
        #expect(facts[3].occurredAt == Self.date(2026, 12, 5, hour: 0))
        #expect(facts[0].relations == [GraphRelation(source: "user", relation: "name", target: "Lan")])
        #expect(facts[2].relations == [GraphRelation(source: "user", relation: "attends", target: "trường Hoa Sen")])
    }

    @Test(arguments: [
        "Em tên là Lan.", "Tên em là Lan.", "Tên của con là Lan ạ.", "Mình tên Lan.", "Cháu tên là lan",
        "Tớ tên là Lan nhé!",
    ])
    func nameInEveryWordOrder(sentence: String) {
        let facts = extract(sentence)
        #expect(facts.map(\.text) == ["Tên là Lan"], "\(sentence)")
        #expect(facts.first?.attribute == "name")
    }

    @Test(arguments: ["Em", "Con", "Mình", "Tớ", "Tôi", "Cháu"])
    func everyFirstPersonBecomesTheSpeaker(pronoun: String) {
        #expect(texts("\(pronoun) thích mèo lắm ạ.") == ["Lan thích mèo"])
        #expect(
            texts("Hôm qua \(pronoun.lowercased()) đi sở thú với mẹ \(pronoun.lowercased()).")
                == ["Ngày 5/12/2026 Lan đi sở thú với mẹ Lan."])
    }

    @Test func withoutANameTheSpeakerIsBe() {
        #expect(texts("Tớ thích bóng đá.", name: nil) == ["Bé thích bóng đá"])
        // A name stated later in the add names what follows it.
        #expect(
            texts("Tớ thích bóng đá. Tớ tên là Minh. Tớ ghét rau.", name: nil)
                == ["Bé thích bóng đá", "Tên là Minh", "Minh ghét rau"])
    }

    @Test func conAndEmAsNounsAreNotTheSpeaker() {
        let facts = extract("Con có một con mèo tên là Mướp. Em trai con tên là Nam.", name: "Lan")
        #expect(facts.map(\.text) == ["Lan có một con mèo tên là Mướp", "Em trai Lan tên là Nam"])
        #expect(facts.map(\.attribute) == ["@lan|pet_name:mướp", nil])  // Lan's slot (AttributeSlot)
        #expect(texts("Con mèo của em tên là Mướp và nó rất ngoan.") == ["Con mèo của Lan tên là Mướp và nó rất ngoan."])
    }

    @Test func slots() {
        // The slot the language fills; whose it is (Lan's: "@lan|grade") is ``AttributeSlot``'s.
        func slot(_ text: String) -> String?? { extract(text, name: "Lan").first.map { $0.attribute.map { AttributeSlot($0).slot } } }
        #expect(extract("Em học lớp 3.", name: "Lan").first?.attribute == "@lan|grade")
        #expect(slot("Em học lớp 3.") == "grade")
        #expect(slot("Em học ở trường Kim Đồng.") == "school")
        #expect(slot("Em năm nay 8 tuổi.") == "age")
        #expect(slot("Nhà em ở Đà Nẵng.") == "location")
        #expect(slot("Mẹ em tên là Hoa.") == "family_mẹ")
        #expect(slot("Em có một con chó.") == "pet:chó")
        #expect(slot("Màu yêu thích của em là màu xanh.") == "favorite_color")
        #expect(slot("Em thích màu hồng nhất.") == "favorite_color")
        #expect(slot("Em không thích ăn rau.") == "pref:ăn rau")
        #expect(slot("Sinh nhật của em là ngày 3 tháng 5.") == "birthday")
        #expect(texts("Em không thích ăn rau.") == ["Lan không thích ăn rau"])
        // Like then dislike of one thing fills one slot: consolidation updates it.
        #expect(slot("Em thích cà rốt.") == slot("Em ghét cà rốt."))
    }

    @Test(arguments: [
        ("Hôm qua em đi sở thú.", "Ngày 5/12/2026 Lan đi sở thú."),
        ("Hôm kia em đi bơi với bố.", "Ngày 4/12/2026 Lan đi bơi với bố."),
        ("Hôm nay em được điểm mười.", "Ngày 6/12/2026 Lan được điểm mười."),
        ("Ngày mai em đi thăm ông bà.", "Ngày 7/12/2026 Lan đi thăm ông bà."),
        ("Tối qua em xem phim hoạt hình.", "Đêm 5/12/2026 Lan xem phim hoạt hình."),
        ("Tuần trước em bị ốm.", "Trong tuần trước ngày 6/12/2026 Lan bị ốm."),
        ("Hai tuần trước em đi biển.", "Khoảng ngày 22/11/2026 Lan đi biển."),
        ("Ba ngày trước em trồng cây.", "Ngày 3/12/2026 Lan trồng cây."),
        ("Cuối tuần trước em đi cắm trại.", "Cuối tuần ngày 28/11/2026 Lan đi cắm trại."),
        ("Thứ sáu tuần trước em thi vẽ.", "Ngày 4/12/2026 Lan thi vẽ."),
        ("Tháng trước em học bơi.", "Tháng 11/2026 Lan học bơi."),
        ("Năm ngoái em đi Đà Lạt.", "Năm 2025 Lan đi Đà Lạt."),
        ("Mùa hè năm ngoái em về quê.", "Mùa hè năm 2025 Lan về quê."),
    ])
    func relativeDatesAreResolvedAgainstTheMessageTime(input: String, expected: String) {
        #expect(texts(input) == [expected])
    }

    @Test func monthYearAndLeapDayBoundaries() {
        #expect(texts("Hôm qua em nhận nuôi một chú chó.", time: Self.date(2024, 3, 1)) == ["Ngày 29/2/2024 Lan nhận nuôi một chú chó."])
        #expect(texts("Hôm qua em nhận nuôi một chú chó.", time: Self.date(2023, 3, 1)) == ["Ngày 28/2/2023 Lan nhận nuôi một chú chó."])
        #expect(texts("Hôm qua em đi chúc Tết.", time: Self.date(2027, 1, 1)) == ["Ngày 31/12/2026 Lan đi chúc Tết."])
        #expect(texts("Tháng trước em học đàn.", time: Self.date(2027, 1, 15)) == ["Tháng 12/2026 Lan học đàn."])
        #expect(texts("Ngày mai em đi học.", time: Self.date(2026, 12, 31)) == ["Ngày 1/1/2027 Lan đi học."])
    }

    @Test func withoutATimeNoDateIsGuessed() throws {
        let event = try #require(extract("Hôm qua em đi sở thú.", name: "Lan", time: nil).first)
        #expect(event.text == "Hôm qua Lan đi sở thú." && event.occurredAt == nil)
    }

    @Test(arguments: [
        "Em chào cô!", "Chào Pika!", "Cảm ơn Pika nhé!", "Con cảm ơn mẹ ạ.", "Dạ vâng.", "Hay quá!", "Tạm biệt nhé!",
        "Con đi ngủ đây.", "Em có thích mèo không", "Bạn tên là gì?", "Pika ơi, bạn đang làm gì thế?", "Em hiểu rồi ạ.",
        "Ừ, đúng rồi.", "Hôm nay bạn có vui không",
    ])
    func smallTalkAndQuestionsAreNotKept(sentence: String) {
        #expect(texts(sentence).isEmpty, "kept: \(sentence)")
    }

    @Test func englishWithAVietnameseWordStaysEnglish() {
        #expect(texts("I love phở.", name: nil) == ["Loves phở"])
        #expect(
            texts("Yesterday I ate phở with my grandma in Hà Nội.", name: "Ana")
                == ["On 5 December 2026 Ana ate phở with Ana's grandma in Hà Nội."])
    }

    @Test func vietnameseQueriesNameTheirTimeSpan() throws {
        let span = try #require(TemporalQuery.span(in: "Hôm qua em đi đâu?", reference: Self.sunday))
        #expect(span.start == Self.date(2026, 12, 5, hour: 0))
        let month = try #require(TemporalQuery.span(in: "Tháng 11/2026 em làm gì?", reference: Self.sunday))
        #expect(month.kind == .month && month.start == Self.date(2026, 11, 1, hour: 0))
        #expect(TemporalQuery.span(in: "Em thích con gì?", reference: Self.sunday) == nil)
    }

    @Test func vietnameseDislikesGoToTheSummarysDislikes() {
        #expect(FavoriteSummary.isDislike("Lan không thích ăn rau"))
        #expect(FavoriteSummary.isDislike("Minh ghét rau"))
        #expect(FavoriteSummary.isDislike("Ana dislikes broccoli") && FavoriteSummary.isDislike("Dislikes broccoli"))
        #expect(!FavoriteSummary.isDislike("Lan thích mèo"))
        #expect(!FavoriteSummary.isDislike("Likes the show Everybody Hates Chris"))
    }
}
