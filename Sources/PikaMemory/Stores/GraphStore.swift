/// A per-user graph of entities and relations.
public protocol GraphStore: Sendable {
    /// Adds entities and relations learnt from `memoryID` (duplicates are merged).
    func add(entities: [GraphEntity], relations: [GraphRelation], memoryID: String, scope: MemoryScope) async throws
    /// Closes the relations that came from `memoryID` (its validity interval ends now).
    func retire(memoryID: String, scope: MemoryScope) async throws
    /// Current relations that touch any of `names` (case-insensitive).
    func relations(touching names: [String], scope: MemoryScope) async throws -> [GraphRelation]
    /// The entities whose names occur in `text` (case-insensitive).
    func entities(mentionedIn text: String, scope: MemoryScope) async throws -> [GraphEntity]
    /// The subgraph within `depth` hops of `entity` (the whole graph when nil).
    func subgraph(entity: String?, depth: Int, scope: MemoryScope) async throws -> ([GraphEntity], [GraphRelation])
    /// Removes the scope's graph.
    func deleteScope(_ scope: MemoryScope) async throws
}
