import Foundation
import Logging
import PikaEmbeddings
import Testing

@testable import PikaMemory
@testable import PikaRelational

/// Both kinds of memory through the service: persistence, filters, time and speaker ranking,
/// export and import.
@Suite struct MemoryKindsTests {
    let scope = MemoryScope(tenant: "t", userID: "u")

    static func date(_ year: Int, _ month: Int, _ day: Int) -> Date {
        DateShift.calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!
    }

    func manager() async throws -> MemoryManager { try await sqliteManager(label: "kinds-test") }

    @Test func eventsAndFactsArePersistedWithKindAndTime() async throws {
        let manager = try await manager()
        let input = AddInput(
            messages: [
                ConversationMessage(role: "user", content: "My favorite color is green.", name: "Ana"),
                ConversationMessage(role: "user", content: "Yesterday I repainted the whole kitchen in that shade.", name: "Ana"),
            ], timestamp: Self.date(2023, 5, 8))
        let results = try await manager.add(input, scope: scope)
        #expect(results.map(\.event) == [.add, .add])
        let records = try await manager.store.allRecords(scope: scope)
        let event = try #require(records.first { $0.kind == .event })
        #expect(event.text == "On 7 May 2023 Ana repainted the whole kitchen in that shade.")
        #expect(event.occurredAt == DateShift.calendar.startOfDay(for: Self.date(2023, 5, 7)))
        let fact = try #require(records.first { $0.kind == .fact })
        #expect(fact.text == "Ana's favorite color is green" && fact.occurredAt == nil)
    }

    @Test func kindAndOccurredAtFilters() async throws {
        let manager = try await manager()
        for (day, text) in [(1, "I planted tomatoes in the garden."), (20, "I harvested the first tomatoes from the garden.")] {
            _ = try await manager.add(
                AddInput(messages: [
                    ConversationMessage(
                        role: "user", content: text, name: "Ana",
                        timestamp: Self.date(2023, 6, day))
                ]), scope: scope)
        }
        _ = try await manager.add(AddInput(messages: [ConversationMessage(role: "user", content: "I love tomatoes.")]), scope: scope)
        func texts(_ filter: JSONValue) async throws -> [String] {
            try await manager.search(SearchQuery(text: "tomatoes garden", scope: scope, filter: try MemoryFilter.parse(filter)))
                .results.map(\.record.text).sorted()
        }
        #expect(try await texts(.object(["kind": .string("fact")])) == ["Loves tomatoes"])
        #expect(try await texts(.object(["kind": .string("event")])).count == 2)
        #expect(
            try await texts(.object(["occurred_at": .object(["gte": .string("2023-06-10T00:00:00Z")])])) == [
                "Ana harvested the first tomatoes from the garden."
            ])
        let june5 = Self.date(2023, 6, 5).timeIntervalSince1970
        #expect(try await texts(.object(["occurred_at": .object(["lte": .number(june5)])])) == ["Ana planted tomatoes in the garden."])
        #expect(throws: MemoryError.self) { try MemoryFilter.parse(.object(["occurred_at": .object(["gte": .string("not a time")])])) }
    }

    @Test func aQueryTimeSpanRanksMemoriesOfThatSpanFirst() async throws {
        let manager = try await manager()
        // Same words, different times: only the time can order them.
        for (date, text) in [
            (Self.date(2022, 7, 14), "Swam in the lake with the dog"),
            (Self.date(2023, 1, 20), "Swam in the lake with the dog again"),
            (Self.date(2023, 4, 25), "Swam in the lake with the dog once more"),
        ] {
            _ = try await manager.add(
                AddInput(
                    messages: [ConversationMessage(role: "user", content: text, timestamp: date)],
                    infer: false), scope: scope)
        }
        func top(_ query: String) async throws -> String? {
            try await manager.search(SearchQuery(text: query, scope: scope, referenceTime: Self.date(2023, 5, 8)))
                .results.first?.record.text
        }
        #expect(try await top("when did I swim in the lake last summer") == "Swam in the lake with the dog")
        #expect(try await top("swim in the lake in January 2023") == "Swam in the lake with the dog again")
        #expect(try await top("swim in the lake two weeks ago") == "Swam in the lake with the dog once more")
    }

    @Test func temporalQuerySpans() throws {
        let reference = Self.date(2023, 5, 8)
        func span(_ query: String) -> (Date, Date)? {
            TemporalQuery.span(in: query, reference: reference).map { ($0.start, $0.end) }
        }
        let day = DateShift.calendar.startOfDay(for:)
        #expect(span("what did Ana do yesterday")! == (day(Self.date(2023, 5, 7)), day(Self.date(2023, 5, 8))))
        #expect(span("trips in May 2023")! == (day(Self.date(2023, 5, 1)), day(Self.date(2023, 6, 1))))
        #expect(span("what happened last summer")! == (day(Self.date(2022, 6, 1)), day(Self.date(2022, 9, 1))))
        #expect(span("books read in 2021")! == (day(Self.date(2021, 1, 1)), day(Self.date(2022, 1, 1))))
        #expect(span("what did Ana cook") == nil)
    }

    /// Every time form a query may hold is found (the time-word pre-check skips none of them), and a
    /// query without one names no time.
    @Test(arguments: [
        "the day after tomorrow", "the day before yesterday", "last night", "this morning", "tonight",
        "3 days ago", "two weeks ago", "a few months ago", "a year ago", "in 5 days", "in two weeks",
        "next weekend", "last week", "this month", "next year", "last Friday", "last summer", "in May 2023",
        "on 7 May 2023", "in 2021", "hôm qua", "tuần trước", "thứ sáu tuần trước", "năm ngoái", "tháng 5/2023",
        "ngày 5/12/2022", "in 2021?", "since 1999", "in the past month", "this past weekend",
    ])
    func everyTimeFormInAQuery(phrase: String) {
        #expect(TemporalQuery.span(in: "what did Ana do \(phrase)", reference: Self.date(2023, 5, 8)) != nil, "\(phrase)")
        #expect(TemporalQuery.span(in: "what does Ana like to paint", reference: Self.date(2023, 5, 8)) == nil)
    }

    /// The year pre-check: only a four-digit number standing alone may be a year; other digits do
    /// not make a query temporal, and a year inside a word or a longer number is none.
    @Test func onlyAStandaloneFourDigitNumberIsAYear() {
        let reference = Self.date(2023, 5, 8)
        for query in ["does the user like tea or chess? (run 1a2b 17)", "order 12345 from room 7", "code x2021 or 2021y", "b_2021"] {
            #expect(!TemporalQuery.holdsFourDigitNumber(query), "\(query)")
            #expect(TemporalQuery.span(in: query, reference: reference) == nil, "\(query)")
        }
        for query in ["in 2021", "5/12/2026", "(1999)", "năm 2020", "x 2021"] {
            #expect(TemporalQuery.holdsFourDigitNumber(query), "\(query)")
        }
    }

    @Test func aNamedPersonsMemoriesRankFirst() {
        let boosts = RankingBoosts()
        func record(_ text: String) -> MemoryRecord {
            MemoryRecord(id: text, scope: scope, text: text, kind: .event, createdAt: .now, updatedAt: .now)
        }
        let ranking = [
            (record("Ben adopted a cat from the shelter."), 0.9), (record("Ana adopted a cat from the shelter."), 0.8),
            (record("Ben repaired a bike."), 0.1),
        ]
        let boosted = boosts.apply(to: ranking, query: "What pet did Ana adopt?", reference: .now)
        #expect(boosted.map(\.record.text).first == "Ana adopted a cat from the shelter.")
        // A name every candidate holds (or none does) changes nothing.
        let unchanged = boosts.apply(to: ranking, query: "What did Carl adopt?", reference: .now)
        #expect(unchanged.map(\.record.text) == ranking.map(\.0.text))
        #expect(SpeakerBoost.names(in: "When did Ana's sister visit Hanoi in May?") == ["Ana", "Hanoi"])
    }

    @Test func aWordOpeningTheQueryIsANameOnlyIfTheMemoriesNeverWriteItInLowerCase() {
        func record(_ text: String) -> MemoryRecord {
            MemoryRecord(id: text, scope: scope, text: text, kind: .event, createdAt: .now, updatedAt: .now)
        }
        let paragraphs = ["Các đội bóng của Mỹ thi đấu.", "Các thành phố lớn.", "Đội Panthers thắng các đội khác."]
        #expect(SpeakerBoost.names(in: "Các đội nào thắng Panthers?", among: paragraphs) == ["Panthers"])
        #expect(SpeakerBoost.names(in: "Lan thích gì?", among: ["Lan thích mèo", "Minh thích chó"]) == ["Lan"])
        // Inside a sentence a capital still names, whatever the texts write.
        #expect(SpeakerBoost.names(in: "What did Rose plant?", among: ["a rose bush", "Rose planted tulips"]) == ["Rose"])
        // So "Các" no longer lifts the paragraphs that open with it above the best match.
        let ranking = [(record(paragraphs[2]), 0.9), (record(paragraphs[0]), 0.88), (record(paragraphs[1]), 0.7)]
        let boosted = RankingBoosts().apply(to: ranking, query: "Các đội nào thắng?", reference: .now)
        #expect(boosted.map(\.record.text) == ranking.map(\.0.text))
    }

    @Test func exportAndImportKeepBothKinds() async throws {
        let manager = try await manager()
        _ = try await manager.add(
            AddInput(messages: [
                ConversationMessage(
                    role: "user", content: "I have a dog named Rex. Last weekend I took Rex to the vet for his shots.",
                    name: "Ana", timestamp: Self.date(2023, 5, 8))
            ]), scope: scope)
        let lines = try await manager.export(scope)
        #expect(Set(lines.compactMap(\.kind)) == [.fact, .event])
        let reparsed = try lines.map { try #require(ExportLine.parse(try $0.jsonLine())) }
        #expect(reparsed == lines)
        // Into another service (ids are kept, and an id belongs to one user).
        let other = try await self.manager()
        _ = try await other.importLines(reparsed, scope: scope)
        let copied = try await other.store.allRecords(scope: scope)
        let original = try await manager.store.allRecords(scope: scope)
        #expect(copied.map(\.kind) == original.map(\.kind))
        #expect(copied.map(\.occurredAt) == original.map(\.occurredAt))
        #expect(original.contains { $0.kind == .event && $0.occurredAt == DateShift.calendar.startOfDay(for: Self.date(2023, 5, 6)) })
    }

    @Test func requestTimes() {
        #expect(RequestTime.parse(.number(1_683_554_160)) == Date(timeIntervalSince1970: 1_683_554_160))
        #expect(RequestTime.parse(.string("1683554160")) == Date(timeIntervalSince1970: 1_683_554_160))
        #expect(RequestTime.parse(.string("2023-05-08T13:56:00Z")) == Date(timeIntervalSince1970: 1_683_554_160))
        #expect(RequestTime.parse(.string("2023-05-08T13:56:00.000Z")) == Date(timeIntervalSince1970: 1_683_554_160))
        #expect(RequestTime.parse(.string("2023-05-08T15:56:00+02:00")) == Date(timeIntervalSince1970: 1_683_554_160))
        #expect(RequestTime.parse(.string("2023-05-08")) == Date(timeIntervalSince1970: 1_683_504_000))
        for bad: JSONValue in [.string("yesterday"), .string("2023-13-45"), .number(-1), .number(1e15), .bool(true), .string("")] {
            #expect(RequestTime.parse(bad) == nil, "accepted \(bad)")
        }
    }
}
