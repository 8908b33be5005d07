import Hummingbird

/// The methods each registered path answers, so a request for a path that exists with a method it
/// lacks gets 405 with `Allow` (RFC 9110 §15.5.6) rather than the router's 404.
struct RouteMethods: Sendable {
    private struct Entry: Sendable {
        /// Path components; nil is a parameter (`:id`), which matches any one component.
        let components: [String?]
        var methods: Set<String>
    }

    private var entries: [Entry] = []

    /// The table of `routes` (as `Router.routes` lists them).
    init(_ routes: [(path: String, method: String)]) {
        for route in routes {
            let components: [String?] = Self.components(route.path).map { $0.hasPrefix(":") || $0.hasPrefix("{") ? nil : $0 }
            if let index = entries.firstIndex(where: { $0.components == components }) {
                entries[index].methods.insert(route.method)
            } else {
                entries.append(Entry(components: components, methods: [route.method]))
            }
        }
    }

    /// The methods of the registered path `path` resolves to, sorted; empty when none matches. Like the
    /// router's trie, a literal component wins over a parameter (`/v1/memories/search` is not `{id}`).
    func allowed(for path: String) -> [String] {
        let parts = Self.components(path)
        var best: Entry?
        for entry in entries where entry.components.count == parts.count {
            guard zip(entry.components, parts).allSatisfy({ pattern, part in pattern == nil || pattern == part }) else { continue }
            if let current = best, !Self.isMoreLiteral(entry.components, than: current.components) { continue }
            best = entry
        }
        return best?.methods.sorted() ?? []
    }

    /// Whether `a` has a literal at the first component where it and `b` differ in kind.
    private static func isMoreLiteral(_ a: [String?], than b: [String?]) -> Bool {
        for (x, y) in zip(a, b) where (x == nil) != (y == nil) { return x != nil }
        return false
    }

    private static func components(_ path: String) -> [String] {
        path.split(separator: "/").map(String.init)
    }
}
