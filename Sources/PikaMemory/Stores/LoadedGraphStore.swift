/// A ``GraphStore`` that loads one user's current graph and answers queries in memory with
/// ``GraphQueries``: the SQLite and PostgreSQL stores are both one, so they answer alike and each
/// only says how to load the two lists.
public protocol LoadedGraphStore: GraphStore {
    /// The user's relations still valid (validity interval open), in the order they were added.
    func currentRelations(_ scope: MemoryScope) async throws -> [GraphRelation]
    /// Every entity of the user, ordered by lower-cased name in byte order.
    func allEntities(_ scope: MemoryScope) async throws -> [GraphEntity]
}

extension LoadedGraphStore {
    /// See ``GraphStore/relations(touching:scope:)``.
    public func relations(touching names: [String], scope: MemoryScope) async throws -> [GraphRelation] {
        guard !names.isEmpty else { return [] }
        return GraphQueries.relations(try await currentRelations(scope), touching: names)
    }

    /// See ``GraphStore/entities(mentionedIn:scope:)``.
    public func entities(mentionedIn text: String, scope: MemoryScope) async throws -> [GraphEntity] {
        GraphQueries.entities(try await allEntities(scope), mentionedIn: text)
    }

    /// See ``GraphStore/subgraph(entity:depth:scope:)``.
    public func subgraph(entity: String?, depth: Int, scope: MemoryScope) async throws -> ([GraphEntity], [GraphRelation]) {
        GraphQueries.subgraph(
            entities: try await allEntities(scope), relations: try await currentRelations(scope),
            around: entity, depth: depth)
    }
}
