import Foundation
import Testing

@testable import PikaMemory

/// Event extraction: salience, standalone rewriting (speaker, relative dates) and `occurredAt`.
@Suite struct EventRewriterTests {
    static let rewriter = EventRewriter.shared

    static func date(_ year: Int, _ month: Int, _ day: Int, hour: Int = 15) -> Date {
        DateShift.calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour))!
    }

    func events(_ text: String, speaker: String? = "Ana", time: Date? = date(2023, 5, 8)) -> [String] {
        Self.rewriter.events(in: text, speaker: speaker, time: time).map(\.text)
    }

    @Test func firstPersonBecomesTheSpeaker() {
        #expect(events("I went to a pottery class with my sister.") == ["Ana went to a pottery class with Ana's sister."])
        #expect(
            events("I'm training for a marathon and it keeps me busy.")
                == ["Ana is training for a marathon and it keeps Ana busy."])
        #expect(events("I've adopted a second cat from the shelter.") == ["Ana has adopted a second cat from the shelter."])
        #expect(events("We took our kids to the lake.") == ["Ana and others took Ana's kids to the lake."])
    }

    @Test func withoutANameTheSpeakerIsUser() {
        #expect(events("I started learning the violin.", speaker: nil) == ["User started learning the violin."])
        #expect(events("I started learning the violin.", speaker: "  ") == ["User started learning the violin."])
    }

    @Test func aNameThatLooksLikeAPronounIsNotRewrittenTwice() {
        #expect(events("I fixed my bike.", speaker: "Me") == ["Me fixed Me's bike."])
    }

    @Test(arguments: [
        ("I visited the museum yesterday.", "Ana visited the museum on 7 May 2023."),
        ("I baked bread the day before yesterday.", "Ana baked bread on 6 May 2023."),
        ("I have a dentist appointment tomorrow.", "Ana has a dentist appointment on 9 May 2023."),
        ("I painted a mural last week.", "Ana painted a mural in the week before 8 May 2023."),
        ("We went camping last weekend.", "Ana and others went camping on the weekend of 6 May 2023."),
        ("I ran a half marathon two weeks ago.", "Ana ran a half marathon around 24 April 2023."),
        ("I moved to a new flat 3 days ago.", "Ana moved to a new flat on 5 May 2023."),
        ("I changed jobs last month.", "Ana changed jobs in April 2023."),
        ("I graduated last year.", "Ana graduated in 2022."),
        ("I met my mentor last Friday.", "Ana met Ana's mentor on 5 May 2023."),
        ("I went to Spain last summer.", "Ana went to Spain in the summer of 2022."),
        ("I stayed up late last night.", "Ana stayed up late on the night of 7 May 2023."),
    ])
    func relativeDatesAreResolvedAgainstTheMessageTime(input: String, expected: String) {
        #expect(events(input) == [expected])
    }

    /// The remaining forms of ``EnglishEventLanguage/dateExpressions`` (8 May 2023 is a Monday).
    @Test(arguments: [
        ("I have a recital the day after tomorrow.", "Ana has a recital on 10 May 2023."),
        ("I cleaned the garage today.", "Ana cleaned the garage on 8 May 2023."),
        ("I went for a run this morning.", "Ana went for a run on 8 May 2023."),
        ("I'm seeing a play tonight.", "Ana is seeing a play on 8 May 2023."),
        ("I started a new job three months ago.", "Ana started a new job in February 2023."),
        ("I moved to Denver two years ago.", "Ana moved to Denver in 2021."),
        ("I fly to Rome in 5 days.", "Ana fly to Rome on 13 May 2023."),
        ("I start my new job in two weeks.", "Ana start Ana's new job around 22 May 2023."),
        ("I'm going camping this weekend.", "Ana is going camping on the weekend of 13 May 2023."),
        ("I'm hosting a party next weekend.", "Ana is hosting a party on the weekend of 13 May 2023."),
        ("I have exams next week.", "Ana has exams in the week after 8 May 2023."),
        ("I retired this month.", "Ana retired in May 2023."),
        ("I'm moving house next month.", "Ana is moving house in June 2023."),
        ("I'll graduate next year.", "Ana will graduate in 2024."),
        ("I have a dentist appointment next Friday.", "Ana has a dentist appointment on 12 May 2023."),
        ("I planted tulips this spring.", "Ana planted tulips in the spring of 2023."),
        ("I'm visiting Japan next spring.", "Ana is visiting Japan in the spring of 2024."),
    ])
    func everyOtherRelativeDateForm(input: String, expected: String) {
        #expect(events(input) == [expected])
    }

    /// The "past …" and "this …" variants of the week, weekend, month and year forms (the words
    /// before "past" go with it: no "in the in April 2023"), the parts of the day, autumn under both names.
    @Test(arguments: [
        ("I went to the gym every day this past week.", "Ana went to the gym every day in the week before 8 May 2023."),
        ("I slept a lot over the past weekend.", "Ana slept a lot on the weekend of 6 May 2023."),
        ("I read four books in the past month.", "Ana read four books in April 2023."),
        ("I moved twice during the past year.", "Ana moved twice in 2022."),
        ("I've been learning Spanish for the past year.", "Ana has been learning Spanish for the past year."),
        ("I started running this year.", "Ana started running in 2023."),
        ("I baked a cake this afternoon.", "Ana baked a cake on 8 May 2023."),
        ("I'm meeting my brother this evening.", "Ana is meeting Ana's brother on 8 May 2023."),
        ("I went to Vermont last fall.", "Ana went to Vermont in the autumn of 2022."),
        ("I'm going to Kyoto next autumn.", "Ana is going to Kyoto in the autumn of 2023."),
        ("I bought a sled last Monday.", "Ana bought a sled on 1 May 2023."),
    ])
    func pastAndThisVariants(input: String, expected: String) {
        #expect(events(input) == [expected])
    }

    /// An absolute date keeps its words and dates the event; a relative one is resolved.
    @Test func absoluteDatesSetOccurredAt() throws {
        for (text, day) in [
            ("I visited Rome on 3 June 2022.", Self.date(2022, 6, 3, hour: 0)),
            ("I got married on June 3rd, 2019.", Self.date(2019, 6, 3, hour: 0)),
            ("I moved to Lyon in March 2021.", Self.date(2021, 3, 1, hour: 0)),
            ("I ran my first race in 2015.", Self.date(2015, 1, 1, hour: 0)),
        ] {
            let event = try #require(Self.rewriter.events(in: text, speaker: "Ana", time: Self.date(2023, 5, 8)).first, "\(text)")
            #expect(event.occurredAt == day, "\(text)")
            #expect(event.text == "Ana" + text.dropFirst(1).replacingOccurrences(of: " my ", with: " Ana's "), "\(text)")
        }
    }

    @Test func monthYearAndLeapDayBoundaries() {
        #expect(events("I got a puppy yesterday.", time: Self.date(2024, 3, 1)) == ["Ana got a puppy on 29 February 2024."])
        #expect(events("I got a puppy yesterday.", time: Self.date(2023, 3, 1)) == ["Ana got a puppy on 28 February 2023."])
        #expect(events("I got a puppy yesterday.", time: Self.date(2024, 1, 1)) == ["Ana got a puppy on 31 December 2023."])
        #expect(events("I quit smoking last month.", time: Self.date(2024, 1, 15)) == ["Ana quit smoking in December 2023."])
        #expect(events("I got a puppy tomorrow.", time: Self.date(2023, 12, 31)) == ["Ana got a puppy on 1 January 2024."])
        #expect(events("I joined a choir a year ago.", time: Self.date(2024, 2, 29)) == ["Ana joined a choir in 2023."])
        #expect(
            events("I went skiing last winter.", time: Self.date(2024, 3, 10))
                == ["Ana went skiing in the winter of 2023–2024."])
        // Leap day as the reference, and weeks and months across a year's end.
        #expect(events("I got a puppy tomorrow.", time: Self.date(2024, 2, 28)) == ["Ana got a puppy on 29 February 2024."])
        #expect(events("I sold my bike yesterday.", time: Self.date(2024, 2, 29)) == ["Ana sold Ana's bike on 28 February 2024."])
        #expect(events("I moved flats three days ago.", time: Self.date(2024, 3, 2)) == ["Ana moved flats on 28 February 2024."])
        #expect(
            events("I started a course in two weeks.", time: Self.date(2023, 12, 25))
                == ["Ana started a course around 8 January 2024."])
        #expect(events("I joined a gym next month.", time: Self.date(2023, 12, 15)) == ["Ana joined a gym in January 2024."])
        #expect(events("I had the flu last week.", time: Self.date(2024, 1, 3)) == ["Ana had the flu in the week before 3 January 2024."])
    }

    @Test func occurredAtIsTheResolvedDayElseTheMessageDayElseEmpty() throws {
        let resolved = try #require(
            Self.rewriter.events(in: "I visited Rome yesterday.", speaker: "Ana", time: Self.date(2023, 5, 8)).first)
        #expect(resolved.occurredAt == Self.date(2023, 5, 7, hour: 0))
        let told = try #require(Self.rewriter.events(in: "I visited Rome with friends.", speaker: "Ana", time: Self.date(2023, 5, 8)).first)
        #expect(told.occurredAt == Self.date(2023, 5, 8, hour: 0))
        let untimed = try #require(Self.rewriter.events(in: "I visited Rome yesterday.", speaker: "Ana", time: nil).first)
        #expect(untimed.occurredAt == nil)
        #expect(untimed.text == "Ana visited Rome yesterday.")
    }

    @Test(arguments: [
        "Hey Ana! Good to see you!", "Hi!", "Thanks so much!", "Thank you, that means a lot.", "How have you been?",
        "What kind of music do you like?", "Wow, that's so cool!", "That sounds amazing.", "See you soon!",
        "Take care!", "Bye for now", "Glad to hear that!", "Me too!", "Haha, totally.", "Congrats on the new job!",
        "You'd be a great teacher!", "Did you go to the concert", "Good luck with the exam!", "Love that!",
        "I couldn't agree more!", "I'm so happy for you, that's huge.", "We can do it!",
        "So much has happened to you since we last talked.",
        "That painting has such beautiful colours in it.", "I hope you have a great time at the festival!",
    ])
    func smallTalkIsNotKept(sentence: String) {
        #expect(events(sentence).isEmpty, "kept: \(sentence)")
    }

    @Test(arguments: [
        "I went to a support group yesterday.", "We took the kids camping last weekend.",
        "My brother and I are building a treehouse.", "Wow, I finally finished my first novel!",
        "I'm thinking of adopting a dog.", "Our band played its first gig at the town fair.",
        "When I was little I collected stamps.", "Thanks! I signed up for the pottery class.",
    ])
    func eventsAreKept(sentence: String) {
        #expect(events(sentence).count == 1, "dropped: \(sentence)")
    }

    @Test func leadingInterjectionsAreDroppedAndQuestionsLeaveTheRest() {
        #expect(
            events("Wow, Mel! I just signed up for a painting class. Have you ever tried it?")
                == ["Ana just signed up for a painting class."])
    }

    @Test func longMessagesAreSplitIntoBoundedEvents() {
        let sentence = "I walked along the river and counted the boats in the harbour."
        let text = Array(repeating: sentence, count: 40).enumerated().map { "\($1.dropLast()) number \($0)." }.joined(separator: " ")
        let found = events(text)
        #expect(found.count > 1)
        #expect(found.allSatisfy { $0.count <= EventRewriter.maxEventLength })
        #expect(Set(found).count == found.count)
    }

    @Test func ruleExtractorKeepsFactsAndEventsWithoutRepeatingShortFacts() {
        let messages = [
            ConversationMessage(role: "user", content: "I like pizza.", name: "Ana"),
            ConversationMessage(
                role: "user", content: "I went hiking with my dad yesterday and I love hiking.",
                name: "Ana", timestamp: Self.date(2023, 5, 8)),
            ConversationMessage(role: "assistant", content: "I went to the moon yesterday.", name: "Bot"),
        ]
        let facts = RuleExtractor().extractSync(messages)
        #expect(
            facts.map(\.text) == [
                "Ana likes pizza", "Ana loves hiking", "Ana went hiking with Ana's dad on 7 May 2023 and Ana love hiking.",
            ])
        #expect(facts.map(\.kind) == [.fact, .fact, .event])
        #expect(facts[2].occurredAt == Self.date(2023, 5, 7, hour: 0))
        #expect(facts[2].provenance == ["msg:1"])
    }

    @Test func conversationTimestampDatesMessagesWithoutOne() {
        let input = AddInput(
            messages: [ConversationMessage(role: "user", content: "I sold my car yesterday.")],
            timestamp: Self.date(2023, 5, 8))
        let facts = RuleExtractor().extractSync(input.timedMessages)
        #expect(facts.map(\.text) == ["User sold User's car on 7 May 2023."])
    }

    @Test func aSecondLanguagePlugsIn() {
        struct Pirate: EventLanguage {
            let english = EnglishEventLanguage()
            var code: String { "pirate" }
            var defaultSpeaker: String { "Matey" }
            var pronounRewrites: [(pattern: String, template: String)] { [(#"\bme\b"#, "{name}")] }
            var firstPerson: String { #"\bme\b"# }
            var singularFirstPerson: String { #"\bme\b"# }
            var secondPerson: String { #"\bye\b"# }
            var leadingFiller: String { #"^(?:arr+)\b[\s,!]*"# }
            var smallTalk: [String] { [#"^ahoy\b.*$"#] }
            var questionStart: String { #"^wha\b"# }
            var dateExpressions: [DateExpression] { [DateExpression(#"\byestermorn\b"#) { _ in .days(-1) }] }
            var absoluteDates: [DateExpression] { [] }
            var notNames: Set<String> { [] }
            func render(_ span: DateSpan) -> String { english.render(span) }
        }
        let rewriter = EventRewriter(languages: [Pirate()])
        #expect(
            rewriter.events(in: "Ahoy there! Arr, me found treasure yestermorn.", speaker: nil, time: Self.date(2023, 5, 8))
                .map(\.text) == ["Matey found treasure on 7 May 2023."])
    }
}
