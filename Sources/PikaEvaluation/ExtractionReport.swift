import Foundation

/// The outcome of `pika eval extraction`: precision, recall and F1 of extracted facts against
/// LoCoMo's observations at each threshold, overall and per conversation.
public struct ExtractionReport: Sendable {
    /// Dataset path as given.
    public var dataset: String
    /// The extractor's name.
    public var extractor: String
    /// The embedder's identity.
    public var embedder: String
    /// The cosine thresholds scored; the first is the headline.
    public var thresholds: [Float]
    /// Counts summed over every session, one per threshold.
    public var overall: [MatchCounts]
    /// Per conversation (sample id), counts per threshold.
    public var conversations: [(id: String, counts: [MatchCounts])]
    /// Sessions run through the extractor.
    public var sessions: Int
    /// Seconds spent extracting.
    public var extractSeconds: Double
    /// Calibration: the 50th, 90th and 95th percentiles, over observations, of the cosine between an
    /// observation and the most similar *other* observation of its session. Two distinct reference
    /// facts reach these values, so a threshold below them would let a fact match a fact it is not.
    public var nearestOtherObservation: [Double]
    /// Salience, for the rule extractor: the sentences of the sessions' messages, and how many of them
    /// keep something (a fact or an event) when extracted alone; nil for other extractors.
    public var sentences: (total: Int, kept: Int)?

    /// Creates a report.
    public init(
        dataset: String, extractor: String, embedder: String, thresholds: [Float], overall: [MatchCounts],
        conversations: [(id: String, counts: [MatchCounts])], sessions: Int, extractSeconds: Double,
        nearestOtherObservation: [Double], sentences: (total: Int, kept: Int)? = nil
    ) {
        self.dataset = dataset
        self.extractor = extractor
        self.embedder = embedder
        self.thresholds = thresholds
        self.overall = overall
        self.conversations = conversations
        self.sessions = sessions
        self.extractSeconds = extractSeconds
        self.nearestOtherObservation = nearestOtherObservation
        self.sentences = sentences
    }

    /// The headline counts (first threshold).
    public var headline: MatchCounts { overall.first ?? MatchCounts() }

    /// One JSON object on one line (sorted keys): the headline `precision`, `recall`, `f1`,
    /// `facts`, `observations`, `matched`, `threshold`; `thresholds` and `conversations` with the
    /// same per threshold; the run's description and the calibration percentiles; with the rule
    /// extractor `sentences` and `kept_sentences`.
    public func json() -> String {
        var object = Self.fields(headline)
        object["threshold"] = rounded(Double(thresholds.first ?? 0), places: 3)
        object["thresholds"] = Self.byThreshold(thresholds, overall)
        object["conversations"] = Dictionary(
            conversations.map { ($0.id, Self.byThreshold(thresholds, $0.counts)) }, uniquingKeysWith: { a, _ in a })
        object["dataset"] = dataset
        object["format"] = "locomo"
        object["extractor"] = extractor
        object["embedder"] = embedder
        object["matching"] = "greedy one-to-one, cosine >= threshold, same speaker when provenance names one"
        object["sessions"] = sessions
        object["extract_s"] = rounded(extractSeconds, places: 1)
        object["nearest_other_observation"] = [
            "p50": rounded(nearestOtherObservation[0], places: 4), "p90": rounded(nearestOtherObservation[1], places: 4),
            "p95": rounded(nearestOtherObservation[2], places: 4),
        ]
        if let sentences {
            object["sentences"] = sentences.total
            object["kept_sentences"] = sentences.kept
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// A plain-text table: per conversation and overall at the headline threshold, then the overall
    /// figures at every threshold.
    public func table() -> String {
        let threshold = thresholds.first ?? 0
        var lines = [
            "locomo extraction [\(extractor), \(embedder), cosine >= \(threshold)] \(dataset)",
            "conversation      facts  observations  matched  precision  recall      f1",
        ]
        func row(_ name: String, _ m: MatchCounts) -> String {
            name.padding(toLength: 16, withPad: " ", startingAt: 0)
                + String(format: "  %5d  %12d  %7d  %9.4f  %6.4f  %6.4f", m.facts, m.references, m.matched, m.precision, m.recall, m.f1)
        }
        for conversation in conversations { lines.append(row(conversation.id, conversation.counts.first ?? MatchCounts())) }
        lines.append(row("all", headline))
        for (threshold, counts) in zip(thresholds, overall) {
            lines.append(row("all @ \(threshold)", counts))
        }
        lines.append(
            String(
                format: "%d sessions extracted in %.1f s; nearest other observation cosine p50 %.3f, p90 %.3f, p95 %.3f",
                sessions, extractSeconds, nearestOtherObservation[0], nearestOtherObservation[1], nearestOtherObservation[2]))
        if let sentences {
            lines.append(
                String(
                    format: "sentences kept: %d of %d (%.1f %%); items %d, precision %.4f", sentences.kept, sentences.total,
                    100 * Double(sentences.kept) / Double(max(1, sentences.total)), headline.facts, headline.precision))
        }
        return lines.joined(separator: "\n")
    }

    private static func fields(_ m: MatchCounts) -> [String: Any] {
        [
            "precision": rounded(m.precision, places: 4), "recall": rounded(m.recall, places: 4), "f1": rounded(m.f1, places: 4),
            "facts": m.facts, "observations": m.references, "matched": m.matched,
        ]
    }

    private static func byThreshold(_ thresholds: [Float], _ counts: [MatchCounts]) -> [String: Any] {
        Dictionary(zip(thresholds, counts).map { (String(format: "%.2f", Double($0)), fields($1) as Any) }, uniquingKeysWith: { a, _ in a })
    }
}
