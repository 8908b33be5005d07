/// An entity of a user's graph.
public struct GraphEntity: Sendable, Hashable, Codable {
    /// Display name (matched case-insensitively).
    public var name: String
    /// Kind: `person`, `pet`, `place`, `thing`, `user`…
    public var type: String

    /// Creates an entity.
    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

/// A directed, labelled edge between two entities of a user's graph.
public struct GraphRelation: Sendable, Hashable, Codable {
    /// Source entity name.
    public var source: String
    /// Relation label, e.g. `likes`, `has_pet`, `sister`.
    public var relation: String
    /// Target entity name.
    public var target: String

    /// Creates a relation.
    public init(source: String, relation: String, target: String) {
        self.source = source
        self.relation = relation
        self.target = target
    }
}
