import Foundation
import PikaEmbeddings
import PikaMemory
import Testing

@testable import PikaEvaluation
@testable import PikaRetrieval

@Suite struct MemoryEvaluationTests {
    static let dataset = Result { try LoCoMoDataset.load(path: DatasetLoaderTests.fixture("locomo-memories.json")) }

    @Test func sessionsBecomeNamedDatedMessagesWithTheirTurnsAsProvenance() throws {
        let session = try #require(try Self.dataset.get().conversations.first?.sessions.first)
        let messages = LoCoMoDataset.messages(session: session.number, dateTime: session.dateTime, turns: session.turns)
        #expect(messages.map(\.role) == ["user", "user", "user"])
        #expect(messages[0].content == "I love painting.")
        #expect(messages.map(\.name) == ["An", "Binh", "An"])
        // 1:56 pm on 8 May, 2023, read as UTC.
        #expect(messages.allSatisfy { $0.timestamp == Date(timeIntervalSince1970: 1_683_554_160) })
        #expect(messages.enumerated().map { $1.provenance(index: $0) } == ["D1:1", "D1:2", "D1:3"])
    }

    @Test func sessionDates() {
        #expect(LoCoMoDataset.sessionDate("10:00 am on 9 May, 2023") == Date(timeIntervalSince1970: 1_683_626_400))
        #expect(LoCoMoDataset.sessionDate("12:05 am on 1 January, 2024") == Date(timeIntervalSince1970: 1_704_067_500))
        #expect(LoCoMoDataset.sessionDate("sometime in May") == nil)
    }

    @Test func loadsObservationsPerSessionAndSpeaker() throws {
        let conversation = try #require(try Self.dataset.get().conversations.first)
        #expect(conversation.observations.count == 5)
        #expect(conversation.observations.filter { $0.session == 1 }.map(\.speaker) == ["An", "An", "Binh"])
        #expect(conversation.observations.last?.diaIDs == ["D2:2", "D2:3"])
        #expect(conversation.sessions.map(\.number) == [1, 2])
    }

    @Test func malformedObservationNamesFileConversationAndKey() {
        let path = DatasetLoaderTests.fixture("locomo-bad-observation.json")
        #expect {
            try LoCoMoDataset.load(path: path)
        } throws: { error in
            guard let error = error as? EvaluationError else { return false }
            return error.code == .malformedDocument && error.message.contains("locomo-bad-observation.json")
                && error.message.contains("conv-obs") && error.message.contains("session_1_observation")
        }
    }

    /// The rule extractor finds "An loves painting" (D1:1), "Binh's name is Binh Tran" (D1:2); in
    /// session 2 the retraction (D2:1) deletes it, and "Binh has a dog named Rex" (D2:2) and "An loves
    /// hiking" (D2:3) are added. D1:3 ("Nice weather today.") is small talk and yields nothing.
    @Test(arguments: MemoryEvaluationRunner.modes)
    func memoriesGoThroughThePipelineAndAreJudgedByProvenance(mode: RetrievalMode) async throws {
        let runner = MemoryEvaluationRunner(mode: mode, embedder: try HashingEmbedder(dimension: 64), extractor: RuleExtractor())
        let report = try await runner.run(try Self.dataset.get(), name: "locomo-memories")
        #expect(report.counts["events_add"] == 4)
        #expect(report.counts["events_delete"] == 1)
        #expect(report.counts["memories"] == 3)
        // Categories 1-4: three questions; the weather's turn left no memory, so it scores 0.
        #expect(report.overall.queries == 3)
        #expect(report.counts["covered"] == 2)
        #expect(abs(report.overall.recall10 - 2.0 / 3) < 1e-12)
        #expect(report.categories["temporal"]?.recall10 == 0)
        // The adversarial question's evidence was deleted by the retraction.
        #expect(report.categories["adversarial"]?.queries == 1)
        #expect(report.categories["adversarial"]?.recall100 == 0)
        #expect(report.details == ["granularity": "memories", "extractor": "rules"])
        #expect(report.mode == mode.rawValue)
        let json = report.json()
        #expect(json.contains("\"granularity\":\"memories\"") && json.contains("\"covered\":2"))
    }

    @Test func extractionIsScoredPerSessionAndSpeaker() async throws {
        let evaluator = ExtractionEvaluator(
            extractor: RuleExtractor(), embedder: try HashingEmbedder(dimension: 64), thresholds: [0.99, 0.5])
        let report = try await evaluator.run(try Self.dataset.get(), name: "locomo-memories")
        // Session 1: facts "An loves painting", "Binh's name is Binh Tran" match their identical
        // observations; "An finds the weather nice" is missed. Session 2: the retraction is not a
        // fact; "Binh has a dog named Rex" matches; An's "An loves hiking" may not match Binh's.
        for counts in report.overall {
            #expect(counts == MatchCounts(facts: 4, references: 5, matched: 3))
        }
        #expect(abs(report.headline.f1 - 2 * 0.75 * 0.6 / 1.35) < 1e-12)
        #expect(report.conversations.map(\.id) == ["conv-m"])
        #expect(report.sessions == 2)
        let json = report.json()
        #expect(json.contains("\"f1\":0.6667") && json.contains("\"threshold\":0.99"))
        #expect(json.contains("\"0.50\""))
        // Salience: of the six sentences, small talk ("Nice weather today.") and the retraction keep nothing.
        #expect(report.sentences?.total == 6 && report.sentences?.kept == 4)
        #expect(json.contains("\"kept_sentences\":4") && json.contains("\"sentences\":6"))
        #expect(report.table().contains("sentences kept: 4 of 6"))
    }

    @Test func verbatimReferenceReturnsEveryUserMessage() async throws {
        let session = try #require(try Self.dataset.get().conversations.first?.sessions.first)
        let messages = LoCoMoDataset.messages(session: session.number, dateTime: session.dateTime, turns: session.turns)
        let facts = try await VerbatimExtractor().extract(messages)
        #expect(facts.map(\.provenance) == [["D1:1"], ["D1:2"], ["D1:3"]])
    }

    @Test func extractionNeedsObservations() async throws {
        let evaluator = ExtractionEvaluator(extractor: RuleExtractor(), embedder: try HashingEmbedder(), thresholds: [0.6])
        let dataset = try LoCoMoDataset.load(path: DatasetLoaderTests.fixture("locomo-small.json"))
        await #expect {
            try await evaluator.run(dataset, name: "locomo-small")
        } throws: { error in
            (error as? EvaluationError)?.code == .emptyDataset
        }
    }
}
