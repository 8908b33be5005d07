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

    /// Creates a fact.
    public init(
        text: String, attribute: String? = nil, isRetraction: Bool = false, entities: [GraphEntity] = [],
        relations: [GraphRelation] = [], provenance: [String] = []
    ) {
        self.text = text
        self.attribute = attribute
        self.isRetraction = isRetraction
        self.entities = entities
        self.relations = relations
        self.provenance = provenance
    }
}
