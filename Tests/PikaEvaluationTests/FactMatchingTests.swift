import Testing

@testable import PikaEvaluation

@Suite struct FactMatchingTests {
    @Test func greedyTakesTheBestPairFirstAndEachSideOnce() {
        // f0 is closest to r0 (0.9) and close to r1 (0.8); f1 only to r0 (0.85).
        // Greedy: (f0, r0) 0.9 first, then f1 cannot have r0; f0 is used, so r1 stays free.
        let pairs = FactMatching.greedy([[0.9, 0.8], [0.85, 0.1]], threshold: 0.5)
        #expect(pairs == [FactMatching.Pair(fact: 0, reference: 0, similarity: 0.9)])
    }

    @Test func tiesGoToTheLowerFactThenReferenceIndex() {
        let pairs = FactMatching.greedy([[0.7, 0.7], [0.7, 0.7]], threshold: 0.7)  // the threshold is inclusive
        #expect(pairs.map { [$0.fact, $0.reference] } == [[0, 0], [1, 1]])
    }

    @Test func moreFactsThanReferences() {
        let pairs = FactMatching.greedy([[0.6], [0.95], [0.8]], threshold: 0.5)
        #expect(pairs.map(\.fact) == [1])
        let counts = MatchCounts(facts: 3, references: 1, matched: pairs.count)
        #expect(abs(counts.precision - 1.0 / 3) < 1e-12)
        #expect(counts.recall == 1)
        #expect(abs(counts.f1 - 0.5) < 1e-12)  // 2 · (1/3) · 1 / (4/3)
    }

    @Test func belowThresholdAndDisallowedPairsNeverMatch() {
        #expect(FactMatching.greedy([[0.49, nil], [nil, 0.3]], threshold: 0.5).isEmpty)
        #expect(FactMatching.greedy([[nil, 0.6]], threshold: 0.5).map(\.reference) == [1])
    }

    @Test func nothingToMatch() {
        #expect(FactMatching.greedy([], threshold: 0.5).isEmpty)
        #expect(FactMatching.greedy([[], []], threshold: 0.5).isEmpty)
        let none = MatchCounts(facts: 0, references: 4, matched: 0)
        #expect(none.precision == 0 && none.recall == 0 && none.f1 == 0)
        #expect(MatchCounts(facts: 2, references: 0).recall == 0)
    }

    @Test func countsAddUp() {
        let sum = MatchCounts(facts: 2, references: 3, matched: 1) + MatchCounts(facts: 2, references: 2, matched: 2)
        #expect(sum == MatchCounts(facts: 4, references: 5, matched: 3))
    }
}

@Suite struct ProvenanceIndexTests {
    let index = ProvenanceIndex([
        (id: "m1", provenance: ["D1:1"]),
        (id: "m2", provenance: ["D1:2", "D2:5"]),  // an UPDATE merged two turns
        (id: "m3", provenance: ["D1:1", "D1:1"]),
    ])

    @Test func aMemoryIsRelevantWhenItsProvenanceHoldsAnEvidenceTurn() {
        #expect(index.judgements(evidence: ["D1:1"]) == ["m1": 1, "m3": 1])
        #expect(index.judgements(evidence: ["D2:5", "D9:9"]) == ["m2": 1])
        #expect(index.judgements(evidence: ["D1:1", "D1:2"]) == ["m1": 1, "m2": 1, "m3": 1])
    }

    @Test func evidenceNoMemoryCarriesIsAMissNotAnExclusion() {
        let judgements = index.judgements(evidence: ["D3:1"])
        #expect(judgements == [ProvenanceIndex.lostEvidence: 1])
        let summary = MetricSummary(rankings: [(["m1", "m2"], judgements)])
        #expect(summary.queries == 1 && summary.ndcg10 == 0 && summary.recall10 == 0)
    }

    @Test func noEvidenceExcludesTheQuestion() {
        #expect(index.judgements(evidence: []).isEmpty)
    }
}
