/// The in-memory parts of graph queries, shared by every ``GraphStore``: stores load a user's current
/// relations and entities, these functions pick what the query asks for, so back-ends answer alike.
public enum GraphQueries {
    /// The relations that touch any of `names` (case-insensitive), in their stored order.
    public static func relations(_ relations: [GraphRelation], touching names: [String]) -> [GraphRelation] {
        let keys = Set(names.map { $0.lowercased() })
        guard !keys.isEmpty else { return [] }
        return relations.filter { keys.contains($0.source.lowercased()) || keys.contains($0.target.lowercased()) }
    }

    /// The entities whose names occur in `text`: single words as whole words, multi-word names as substrings.
    public static func entities(_ entities: [GraphEntity], mentionedIn text: String) -> [GraphEntity] {
        let words = Set(text.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
        let haystack = " " + words.sorted().joined(separator: " ") + " "
        let lowered = text.lowercased()
        return entities.filter { entity in
            let key = entity.name.lowercased()
            return key.contains(" ") ? lowered.contains(key) : haystack.contains(" \(key) ")
        }
    }

    /// The part of the graph within `depth` hops of `entity` (breadth-first); the whole graph when nil.
    public static func subgraph(
        entities: [GraphEntity], relations: [GraphRelation], around entity: String?, depth: Int
    )
        -> ([GraphEntity], [GraphRelation])
    {
        guard let entity else { return (entities, relations) }
        var seen: Set<String> = [entity.lowercased()]
        var frontier = seen
        var kept: Set<GraphRelation> = []
        for _ in 0..<max(1, depth) {
            var next: Set<String> = []
            for relation in relations {
                let s = relation.source.lowercased()
                let t = relation.target.lowercased()
                if frontier.contains(s) || frontier.contains(t) {
                    kept.insert(relation)
                    for name in [s, t] where !seen.contains(name) { next.insert(name) }
                }
            }
            seen.formUnion(next)
            frontier = next
            if frontier.isEmpty { break }
        }
        return (entities.filter { seen.contains($0.name.lowercased()) }, relations.filter { kept.contains($0) })
    }
}
