import Foundation

/// Reorders a ranking by what the query says beyond its words: memories whose `occurredAt` falls
/// in the query's time span (``TemporalQuery``) and memories about a person the query names
/// (``SpeakerBoost``) move up.
///
/// A boost adds a share of the ranking's score range (best − worst) to a memory's score, so it
/// weighs the same in every mode (cosine, BM25 and fused scores have different scales): a memory
/// in the asked time span gains ``timeShare`` of the range (the whole range: a query that names a
/// time asks for that time first, so every memory of the span ranks above every other, ties going to
/// the boosted), a memory about a named person ``speakerShare``. Only a boost that separates the
/// candidates applies: when every candidate (or none) mentions the name, the name says nothing
/// about which is meant. A word opening the query is a name only if the candidates never write it
/// in lower case (``SpeakerBoost/names(in:among:rewriter:)``).
public struct RankingBoosts: Sendable {
    /// The share of the score range a memory in the query's time span gains.
    public var timeShare = 1.0
    /// The share of the score range a memory naming a person the query names gains.
    public var speakerShare = 0.25

    /// Creates the boosts with the default shares.
    public init() {}

    /// Whether `query` holds anything to boost by (a time expression or a name), so the caller can
    /// fetch deeper candidates only when needed.
    public func applies(to query: String, reference: Date) -> Bool {
        TemporalQuery.span(in: query, reference: reference) != nil || !SpeakerBoost.names(in: query).isEmpty
    }

    /// `ranking` (best first) with the boosts added, best first again; ties keep their order.
    public func apply(
        to ranking: [(record: MemoryRecord, score: Double)], query: String, reference: Date
    ) -> [(record: MemoryRecord, score: Double)] {
        guard ranking.count > 1 else { return ranking }
        let span = TemporalQuery.span(in: query, reference: reference)
        let names = SpeakerBoost.names(in: query, among: ranking.lazy.map(\.record.text))
        guard span != nil || !names.isEmpty else { return ranking }
        let scores = ranking.map(\.score)
        let range = max((scores.max() ?? 0) - (scores.min() ?? 0), 1e-9)
        let inSpan = ranking.map { entry in span.map { span in entry.record.occurredAt.map(span.contains) ?? false } ?? false }
        let aboutName = ranking.map { SpeakerBoost.mentions($0.record.text, any: names) }
        let timeApplies = inSpan.contains(true) && inSpan.contains(false)
        let nameApplies = aboutName.contains(true) && aboutName.contains(false)
        guard timeApplies || nameApplies else { return ranking }
        let boosted = ranking.enumerated().map { index, entry in
            var boost = 0.0
            if timeApplies && inSpan[index] { boost += timeShare * range }
            if nameApplies && aboutName[index] { boost += speakerShare * range }
            return (index: index, record: entry.record, score: entry.score + boost, boost: boost)
        }
        return boosted.sorted {
            if $0.score != $1.score { return $0.score > $1.score }
            return $0.boost != $1.boost ? $0.boost > $1.boost : $0.index < $1.index
        }.map { ($0.record, $0.score) }
    }
}
