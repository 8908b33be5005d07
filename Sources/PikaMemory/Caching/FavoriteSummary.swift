import Foundation

/// The L2 document of one user: favourites by topic, likes and dislikes, built from the attribute
/// slots the extractors fill (`favorite_<topic>`, `pref:<thing>`), and the version tag of the user's
/// memories it was built from — a summary is only used while that tag is current.
///
/// Stored as the ``UserSummary/summary`` JSON object:
/// `{"version": …, "favorites": {"color": memory, "color@ana": memory, …}, "likes": [memory, …], "dislikes": [memory, …]}`
/// where each memory is the record as the L1 tier caches it (id, text, metadata, timestamps …). A
/// favourite is keyed by its topic, and by `topic@subject` when a named speaker's slot holds it
/// (``AttributeSlot``): in a conversation of two people each keeps theirs.
public struct FavoriteSummary: Codable, Sendable, Equatable {
    /// The version tag of the user's memories this was built from.
    public var version: String
    /// Topic (`color`, `ice cream`; `color@ana` for a named speaker's) → the memory filling `favorite_<topic>`.
    var favorites: [String: CachedRecord]
    /// Likes, loves, enjoys and prefers, most recently changed first.
    var likes: [CachedRecord]
    /// Dislikes and hates, most recently changed first.
    var dislikes: [CachedRecord]

    /// The attribute prefixes of the slots a summary is built from: records without one of them
    /// play no part in it. `@` selects every named speaker's slots (`@ana|favorite_color`,
    /// ``AttributeSlot``), of which the summary keeps the favourites and preferences.
    public static let attributePrefixes = [favoritePrefix, preferencePrefix, "@"]
    static let favoritePrefix = "favorite_"
    static let preferencePrefix = "pref:"

    /// Builds the summary of `records` (one user's memories) at `version`.
    public init(records: [MemoryRecord], version: String) {
        self.version = version
        var favorites: [String: CachedRecord] = [:]
        var likes: [MemoryRecord] = []
        var dislikes: [MemoryRecord] = []
        for record in records {
            guard let attribute = record.attribute.map(AttributeSlot.init(_:)) else { continue }
            if attribute.slot.hasPrefix(Self.favoritePrefix) {
                let topic = attribute.slot.dropFirst(Self.favoritePrefix.count).replacingOccurrences(of: "_", with: " ")
                favorites[attribute.subject.map { "\(topic)@\($0)" } ?? topic] = CachedRecord(record)
            } else if attribute.slot.hasPrefix(Self.preferencePrefix) {
                if Self.isDislike(record.text) { dislikes.append(record) } else { likes.append(record) }
            }
        }
        let newestFirst: (MemoryRecord, MemoryRecord) -> Bool = { ($0.updatedAt, $0.label) > ($1.updatedAt, $1.label) }
        self.favorites = favorites
        self.likes = likes.sorted(by: newestFirst).map { CachedRecord($0) }
        self.dislikes = dislikes.sorted(by: newestFirst).map { CachedRecord($0) }
    }

    /// Whether a `pref:` memory says a dislike: its verb, first ("Dislikes broccoli") or after the
    /// speaker's name of up to three words ("Ana dislikes broccoli", "Lan không thích rau"), not in
    /// the liked thing ("Likes the show Everybody Hates Chris").
    static func isDislike(_ text: String) -> Bool {
        let text = " " + text.lowercased()
        return [" dislikes ", " hates ", " doesn't like ", " does not like ", " không thích ", " chẳng thích ", " ghét "]
            .contains { marker in
                guard let range = text.range(of: marker) else { return false }
                return text[..<range.lowerBound].filter { $0 == " " }.count <= 3
            }
    }

    /// The summary as a JSON object (``UserSummary/summary``).
    public var json: JSONValue {
        (try? JSONValue(encoding: self)) ?? .object([:])
    }

    /// The summary stored as `json`, or nil when it is not one.
    public init?(json: JSONValue) {
        guard let summary = try? JSONDecoder().decode(Self.self, from: Data(json.jsonText.utf8)) else {
            return nil
        }
        self = summary
    }

    /// The memories answering `question`, at most `limit`, each scored 1 (they fill the asked slot
    /// rather than resemble the question); nil when the summary holds nothing for it.
    public func answer(_ question: PreferenceQuestion, limit: Int) -> [(record: MemoryRecord, score: Float)]? {
        var found: [CachedRecord]
        switch question {
        case .favorite(let topic?):
            found = favorite(topic)
        case .favorite(nil):
            found = favoritesInOrder
        case .likes:
            found = favoritesInOrder + likes
        case .dislikes:
            found = dislikes
        case .preferences:
            found = favoritesInOrder + likes + dislikes
        }
        guard !found.isEmpty else { return nil }
        return found.prefix(limit).map { ($0.record, 1) }
    }

    /// The topics with a favourite, whoever's (for warming L1 with their questions).
    public var favoriteTopics: [String] { Set(favorites.keys.map(Self.topic)).sorted() }

    /// The topic of a ``favorites`` key (`color@ana` → `color`).
    private static func topic(_ key: String) -> String {
        key.firstIndex(of: "@").map { String(key[..<$0]) } ?? key
    }

    private var favoritesInOrder: [CachedRecord] {
        favorites.values.sorted { ($0.updatedAt, $0.label) > ($1.updatedAt, $1.label) }
    }

    /// The favourites of `topic`, trying its longest leading words first and singular forms: the
    /// user's own first, then each named speaker's, most recently changed first.
    private func favorite(_ topic: String) -> [CachedRecord] {
        let words = topic.split(separator: " ").map(String.init)
        for count in stride(from: words.count, through: 1, by: -1) {
            let candidate = words.prefix(count).joined(separator: " ")
            for form in candidate.hasSuffix("s") ? [candidate, String(candidate.dropLast())] : [candidate] {
                let speakers = favorites.filter { $0.key.hasPrefix(form + "@") }.values
                    .sorted { ($0.updatedAt, $0.label) > ($1.updatedAt, $1.label) }
                let found = (favorites[form].map { [$0] } ?? []) + speakers
                if !found.isEmpty { return found }
            }
        }
        return []
    }
}
