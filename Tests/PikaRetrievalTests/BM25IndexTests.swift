import Foundation
import Testing

@testable import PikaRetrieval

@Suite struct BM25IndexTests {
    @Test func scoreMatchesHandComputation() throws {
        var index = BM25Index(parameters: BM25Parameters(k1: 1.2, b: 0.75))
        index.add(1, text: "apple banana")
        index.add(2, text: "apple")
        // N = 2, n(banana) = 1: idf = ln(1 + 1.5/1.5) = ln 2; doc 1: len 2, avg 1.5, tf 1
        // score = ln2 · 1 · 2.2 / (1 + 1.2 · (0.25 + 0.75 · 2/1.5)) = ln2 · 2.2 / 2.5
        let hits = index.search("banana", k: 10)
        #expect(hits.count == 1)
        let hit = try #require(hits.first)
        #expect(hit.label == 1)
        #expect(abs(hit.score - log(2.0) * 2.2 / 2.5) < 1e-12)
    }

    @Test func deletesLeaveTheSameScoresAsARebuild() {
        let texts: [UInt64: String] = [
            1: "memory of a dog named Bim", 2: "the cat sleeps", 3: "dog and cat play in Hà Nội",
            4: "a long story about a dog, a dog and another dog", 5: "phở bò ở Hà Nội",
        ]
        var incremental = BM25Index()
        for label in texts.keys.sorted() { incremental.add(label, text: texts[label]!) }
        let removed = incremental.remove(2)
        let removedAgain = incremental.remove(2)
        #expect(removed && !removedAgain)
        incremental.add(3, text: "dog and cat play in Ha Noi")  // replace
        var rebuilt = BM25Index()
        for label: UInt64 in [1, 3, 4, 5] {
            rebuilt.add(label, text: label == 3 ? "dog and cat play in Ha Noi" : texts[label]!)
        }
        #expect(incremental.count == rebuilt.count)
        #expect(incremental.vocabularySize == rebuilt.vocabularySize)
        for query in ["dog", "cat", "hà nội", "noi", "phở", "story dog"] {
            #expect(incremental.search(query, k: 10) == rebuilt.search(query, k: 10), "\(query)")
        }
        #expect(incremental.search("sleeps", k: 10).isEmpty)
    }

    @Test func unaccentedQueryFindsVietnameseText() {
        var index = BM25Index()
        index.add(1, text: "Bé thích ăn phở")
        index.add(2, text: "Bé thích chơi bóng đá")
        #expect(index.search("pho", k: 1).first?.label == 1)
        #expect(index.search("bong da", k: 1).first?.label == 2)
    }
}
