import Foundation
import Testing

@testable import PikaRetrieval

@Suite struct RankFusionTests {
    let vector = [RankedHit(label: 1, score: 0.9), RankedHit(label: 2, score: 0.5), RankedHit(label: 3, score: 0.1)]
    let keyword = [RankedHit(label: 3, score: 10), RankedHit(label: 4, score: 4)]

    @Test func reciprocalRankFusionByHand() {
        // 1: 1/61; 2: 1/62; 3: 1/63 + 1/61; 4: 1/62 (tie with 2: smaller label first)
        let fused = RankFusion.fuse(vector: vector, keyword: keyword, method: .reciprocalRank(k: 60), k: 10)
        #expect(fused.map(\.label) == [3, 1, 2, 4])
        #expect(abs(fused[0].score - (1.0 / 63 + 1.0 / 61)) < 1e-12)
        #expect(abs(fused[2].score - 1.0 / 62) < 1e-12)
    }

    @Test func normalizedScoreFusionByHand() {
        // vector min-max: 1 → 1, 2 → 0.5, 3 → 0; keyword: 3 → 1, 4 → 0. Weight 0.4 on vector:
        // 1: 0.4; 2: 0.2; 3: 0.6; 4: 0
        let fused = RankFusion.fuse(vector: vector, keyword: keyword, method: .normalizedScore(vectorWeight: 0.4), k: 3)
        #expect(fused.map(\.label) == [3, 1, 2])
        #expect(abs(fused[0].score - 0.6) < 1e-12)
        #expect(abs(fused[1].score - 0.4) < 1e-12)
    }

    @Test func emptyListsFuseToTheOther() {
        #expect(RankFusion.fuse(vector: [], keyword: keyword, method: .reciprocalRank(), k: 10).map(\.label) == [3, 4])
        #expect(RankFusion.fuse(vector: vector, keyword: [], method: .normalizedScore(), k: 10).map(\.label) == [1, 2, 3])
    }

    @Test func confidenceFusionByHand() {
        // vector 0.9, 0.5, 0.1: mean 0.5, sd √(0.32/3) = sv; z = 0.4/sv, 0, −0.4/sv; confidence 0.4/sv;
        // label 4, missing, takes the lowest z. keyword 10, 4 and the vector candidates it lacks (1, 2)
        // at BM25 0: mean 3.5, sd √16.75 = sk; z(3) = 6.5/sk, z(4) = 0.5/sk, z(1) = z(2) = −3.5/sk;
        // confidence 6.5/sk. Weight on vector: cv^1.5 / (cv^1.5 + ck^1.5).
        let sv = (0.32 / 3).squareRoot()
        let sk = 16.75.squareRoot()
        let cv = 0.4 / sv
        let ck = 6.5 / sk
        let w = pow(cv, 1.5) / (pow(cv, 1.5) + pow(ck, 1.5))
        let expected: [UInt64: Double] = [
            1: w * 0.4 / sv + (1 - w) * -3.5 / sk, 2: w * 0 + (1 - w) * -3.5 / sk,
            3: w * -0.4 / sv + (1 - w) * 6.5 / sk, 4: w * -0.4 / sv + (1 - w) * 0.5 / sk,
        ]
        let fused = RankFusion.fuse(vector: vector, keyword: keyword, method: .confidence, k: 10)
        #expect(fused.map(\.label) == [3, 1, 4, 2])
        // Scaled to 0...1 over the candidates.
        let low = expected[2]!
        let high = expected[3]!
        for hit in fused { #expect(abs(hit.score - (expected[hit.label]! - low) / (high - low)) < 1e-9) }
        #expect(fused.first?.score == 1 && fused.last?.score == 0)
    }

    @Test func aFullKeywordListIsNotPadded() {
        // Equal lengths: the keyword list may be a cut, so its missing candidate (2) takes the lowest
        // z-score rather than BM25 0. z: vector 1 → 1, 2 → −1; keyword 3 → 1, 1 → −1; confidences
        // equal: 1 and 3 tie at 0 (smaller label first), 2 at −1. Padded, 3 would lead.
        let fused = RankFusion.fuse(
            vector: [RankedHit(label: 1, score: 0.9), RankedHit(label: 2, score: 0.1)],
            keyword: [RankedHit(label: 3, score: 5), RankedHit(label: 1, score: 1)], method: .confidence, k: 3)
        #expect(fused.map(\.label) == [1, 3, 2])
    }

    @Test func theMoreConfidentSignalDecidesWhereWeightsInProportionWouldNot() {
        // vector 0.72, 0.6, 0.4, 0.1 (labels 3, 1, 2, 4): confidence 1.13; keyword 9, 4, 3, 0 (labels
        // 4, 2, 3, 1): confidence 1.54. z(3) = 1.13 and −0.31, z(4) = −1.53 and 1.54. Weights in
        // proportion to confidence (0.42 on vector) put the vector's top first: 3 scores 0.30
        // against 4's 0.25. Raised to the power 1.5 (0.385 on vector) the keyword's top leads:
        // 4 scores 0.37 against 3's 0.25.
        let noisy = [
            RankedHit(label: 3, score: 0.72), RankedHit(label: 1, score: 0.6), RankedHit(label: 2, score: 0.4),
            RankedHit(label: 4, score: 0.1),
        ]
        let words = [
            RankedHit(label: 4, score: 9), RankedHit(label: 2, score: 4), RankedHit(label: 3, score: 3),
            RankedHit(label: 1, score: 0),
        ]
        let weight = RankFusion.vectorWeight(Standardized(noisy).confidence, Standardized(words).confidence)
        #expect(abs(weight - 0.385) < 0.001)
        #expect(RankFusion.fuse(vector: noisy, keyword: words, method: .confidence, k: 4).map(\.label).first == 4)
        // Equal confidences still share the say equally.
        #expect(RankFusion.vectorWeight(2, 2) == 0.5)
        #expect(RankFusion.vectorWeight(0, 0) == 0.5)
    }

    @Test func confidenceFusionFollowsTheOnlySignalThatSeparates() {
        // A flat vector list (every cosine equal) has no confidence: the keyword order decides alone.
        let flat = [RankedHit(label: 5, score: 0.3), RankedHit(label: 6, score: 0.3), RankedHit(label: 7, score: 0.3)]
        let words = [RankedHit(label: 7, score: 3), RankedHit(label: 6, score: 2), RankedHit(label: 5, score: 1)]
        #expect(RankFusion.fuse(vector: flat, keyword: words, method: .confidence, k: 3).map(\.label) == [7, 6, 5])
        // No keyword match at all: the vector order stands.
        #expect(RankFusion.fuse(vector: vector, keyword: [], method: .confidence, k: 3).map(\.label) == [1, 2, 3])
    }
}
