import Foundation
import Testing

@testable import PikaEvaluation

@Suite struct RankingMetricsTests {
    @Test func gradedRelevanceFewerResultsThanK() {
        // DCG = 2/log2(2) + 0 + 1/log2(4) = 2.5; ideal gains [2, 1, 1]: 2 + 1/log2(3) + 1/2
        let judgements: Judgements = ["d1": 2, "d3": 1, "d4": 1]
        let ranking = ["d1", "d2", "d3"]
        let expected = 2.5 / (2 + 1 / log2(3.0) + 0.5)
        #expect(abs(RankingMetrics.ndcg(ranking, judgements, k: 10) - expected) < 1e-12)
        #expect(abs(RankingMetrics.recall(ranking, judgements, k: 10) - 2.0 / 3) < 1e-12)
        #expect(abs(RankingMetrics.recall(ranking, judgements, k: 2) - 1.0 / 3) < 1e-12)
        #expect(RankingMetrics.reciprocalRank(ranking, judgements, k: 10) == 1)
    }

    @Test func cutOffAndReciprocalRank() {
        let judgements: Judgements = ["d2": 1]
        let ranking = ["x", "y", "d2"]
        #expect(abs(RankingMetrics.ndcg(ranking, judgements, k: 10) - 0.5) < 1e-12)  // 1/log2(4)
        #expect(RankingMetrics.ndcg(ranking, judgements, k: 2) == 0)
        #expect(abs(RankingMetrics.reciprocalRank(ranking, judgements, k: 10) - 1.0 / 3) < 1e-12)
        #expect(RankingMetrics.reciprocalRank(ranking, judgements, k: 2) == 0)
    }

    @Test func idealIsBuiltFromTheQrelsAndZeroOrNegativeGradesGainNothing() {
        // d1 judged -1 gains nothing; the ideal has only d2 (gain 1).
        let judgements: Judgements = ["d1": -1, "d2": 1, "d3": 0]
        let ndcg = RankingMetrics.ndcg(["d1", "d2"], judgements, k: 10)
        #expect(abs(ndcg - 1 / log2(3.0)) < 1e-12)
        #expect(RankingMetrics.recall(["d3", "d1"], judgements, k: 10) == 0)
    }

    @Test func equalGradesInAnyOrderAreIdeal() {
        #expect(RankingMetrics.ndcg(["b", "a"], ["a": 1, "b": 1], k: 10) == 1)
    }

    @Test func tiedScoresAreBrokenByDescendingIDAsTrecEvalDoes() {
        let ranking = RankingMetrics.ordered([("a", 1.0), ("b", 1.0), ("c", 2.0)])
        #expect(ranking == ["c", "b", "a"])
    }

    @Test func duplicateHitsCountOnceInRecall() {
        #expect(RankingMetrics.recall(["a", "a"], ["a": 1, "b": 1], k: 10) == 0.5)
    }

    @Test func queriesWithoutRelevantDocumentsAreExcluded() {
        let summary = MetricSummary(rankings: [
            (["d1"], ["d1": 1]),
            (["d1"], [:]),
            (["d1"], ["d1": 0]),
            (["x"], ["d2": 1]),
        ])
        #expect(summary.queries == 2)
        #expect(summary.ndcg10 == 0.5)
        #expect(summary.recall100 == 0.5)
        #expect(summary.mrr10 == 0.5)
    }
}
