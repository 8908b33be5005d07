import Foundation

/// A fact about the user found in a conversation.
public struct ExtractedFact: Sendable, Hashable, Codable {
    /// The fact as a short statement ("Likes dinosaurs").
    public var text: String
    /// The single-valued slot it fills (`name`, `age`, `pref:pizza`…); a new fact for a filled slot updates it.
    public var attribute: String?
    /// The speaker withdrew this fact ("I don't like pizza anymore"): delete the matching memory.
    public var isRetraction: Bool
    /// Entities named by the fact.
    public var entities: [GraphEntity]
    /// Relations stated by the fact.
    public var relations: [GraphRelation]
    /// Source message tags.
    public var provenance: [String]
    /// An attribute fact (consolidated by slot) or an event told by the speaker.
    public var kind: MemoryKind
    /// When the event happened, when the message's time let it be derived.
    public var occurredAt: Date?

    /// Creates a fact.
    public init(
        text: String, attribute: String? = nil, isRetraction: Bool = false, entities: [GraphEntity] = [],
        relations: [GraphRelation] = [], provenance: [String] = [], kind: MemoryKind = .fact, occurredAt: Date? = nil
    ) {
        self.text = text
        self.attribute = attribute
        self.isRetraction = isRetraction
        self.entities = entities
        self.relations = relations
        self.provenance = provenance
        self.kind = kind
        self.occurredAt = occurredAt
    }
}
