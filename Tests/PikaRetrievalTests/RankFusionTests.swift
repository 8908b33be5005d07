import PikaEngine
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

    @Test func hybridSearcherKeepsBothIndexesInStep() throws {
        let index = try VectorIndex(configuration: IndexConfiguration(dimension: 2, metric: .cosine))
        let searcher = HybridSearcher(vectors: index, keywords: KeywordIndex(), fusion: .reciprocalRank())
        try searcher.add(1, tenant: 1, text: "loves football", vector: [1, 0])
        try searcher.add(2, tenant: 1, text: "plays chess", vector: [0.9, 0.1])
        try searcher.add(3, tenant: 2, text: "loves chess", vector: [1, 0])
        #expect(try searcher.search(text: "chess", vector: [1, 0], tenant: 1, k: 5, mode: .vector).map(\.label) == [1, 2])
        #expect(try searcher.search(text: "chess", vector: nil, tenant: 1, k: 5, mode: .keyword).map(\.label) == [2])
        // RRF: 1 → 1/61, 2 → 1/62 + 1/61
        #expect(try searcher.search(text: "chess", vector: [1, 0], tenant: 1, k: 5, mode: .hybrid).map(\.label) == [2, 1])
        try searcher.remove(2)
        #expect(try searcher.search(text: "chess", vector: [1, 0], tenant: 1, k: 5, mode: .hybrid).map(\.label) == [1])
        #expect(throws: RetrievalError.self) { _ = try searcher.search(text: "x", vector: nil, tenant: 1, k: 1, mode: .vector) }
    }
}
