import Foundation
import Testing

@testable import PikaEvaluation

@Suite struct DatasetLoaderTests {
    static func fixture(_ name: String) -> String {
        Bundle.module.path(forResource: "Fixtures", ofType: nil)! + "/" + name
    }

    @Test func loadsBEIR() throws {
        let dataset = try BEIRDataset.load(directory: Self.fixture("beir-small"))
        #expect(dataset.documents.map(\.id) == ["d1", "d2", "d3"])
        #expect(dataset.documents[0].fullText == "Dinosaurs The T. rex was a large predator.")
        #expect(dataset.documents[1].fullText == "Phở là món ăn của Hà Nội.")
        #expect(dataset.queries.map(\.id) == ["q1", "q2"])  // q3 has no judgement in test
        #expect(dataset.qrels["q1"] == ["d1": 2])
        #expect(dataset.qrels["q2"] == ["d2": 1, "d3": 0])
    }

    @Test func malformedCorpusLineIsNamed() {
        let path = Self.fixture("beir-bad-corpus")
        #expect {
            try BEIRDataset.load(directory: path)
        } throws: { error in
            guard let error = error as? EvaluationError else { return false }
            return error.code == .malformedLine && error.line == 2 && error.file == path + "/corpus.jsonl"
                && error.message.contains("corpus.jsonl:2:")
        }
    }

    @Test func malformedQrelsLineIsNamed() {
        let path = Self.fixture("beir-bad-qrels")
        #expect {
            try BEIRDataset.load(directory: path)
        } throws: { error in
            guard let error = error as? EvaluationError else { return false }
            return error.code == .malformedLine && error.line == 3 && error.message.contains("qrels/test.tsv:3:")
        }
    }

    @Test func missingSplitIsFileNotFound() {
        #expect {
            try BEIRDataset.load(directory: Self.fixture("beir-small"), split: "dev")
        } throws: { error in
            (error as? EvaluationError)?.code == .fileNotFound && "\(error)".contains("qrels/dev.tsv")
        }
    }

    @Test func loadsLoCoMoAndSplitsEvidence() throws {
        let dataset = try LoCoMoDataset.load(path: Self.fixture("locomo-small.json"))
        let conversation = try #require(dataset.conversations.first)
        #expect(conversation.sampleID == "conv-x")
        #expect(conversation.turns.map(\.diaID) == ["D1:1", "D1:2", "D2:1"])
        #expect(conversation.turns[2].session == 2 && conversation.turns[2].dateTime == "10:00 am on 9 May, 2023")
        #expect(conversation.questions.map(\.evidence) == [["D1:1", "D2:1"], ["D1:2"], ["D1:1"]])
        #expect(conversation.questions.map(\.category) == [4, 1, 5])
    }

    @Test func malformedLoCoMoNamesFileAndConversation() {
        let path = Self.fixture("locomo-bad.json")
        #expect {
            try LoCoMoDataset.load(path: path)
        } throws: { error in
            guard let error = error as? EvaluationError else { return false }
            return error.code == .malformedDocument && error.message.contains("locomo-bad.json")
                && error.message.contains("conv-bad") && error.message.contains("evidence")
        }
    }

    @Test func truncatedLoCoMoIsInvalidJSON() throws {
        let path = FileManager.default.temporaryDirectory.path + "/locomo-truncated-\(getpid()).json"
        try Data("[{\"sample_id\": ".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect {
            try LoCoMoDataset.load(path: path)
        } throws: { error in
            (error as? EvaluationError)?.code == .malformedDocument && "\(error)".contains(path)
        }
    }
}
