import Foundation
import Hummingbird
import PikaMemory

/// What a Mem0 call names: the entity ids (top level, query string or inside `filters`) as one
/// ``Mem0Filter``, and the single user an add or a delete needs.
struct Mem0Request {
    /// The ids at the top level and `filters`, AND-ed.
    var filter: Mem0Filter
    /// Top-level (or query-string) entity ids; `org_id` / `project_id`, which 1.0 clients echo, are ignored.
    var entities: [String: String]

    static let entityNames = ["user_id", "agent_id", "run_id", "app_id"]

    /// A request naming only `filter`.
    init(filter: Mem0Filter) {
        self.filter = filter
        self.entities = [:]
    }

    /// From a JSON body.
    init(body: [String: JSONValue]) throws {
        var entities: [String: String] = [:]
        for name in Self.entityNames {
            guard let value = body[name], value != .null else { continue }
            guard let text = value.stringValue, Identifiers.isValid(text) || text == "*" else {
                throw Problem.badRequest("invalid_id", "\(name) must be 1-128 characters of letters, digits and _-.:@")
            }
            entities[name] = text
        }
        try self.init(entities: entities, filters: body["filters"])
    }

    /// From a query string (`filters` as JSON or as the Python literal the SDK sends there).
    init(query request: Request) throws {
        let query = request.uri.queryParameters
        var entities: [String: String] = [:]
        for name in Self.entityNames {
            guard let value = query.get(name) else { continue }
            guard Identifiers.isValid(value) || value == "*" else { throw Problem.badRequest("invalid_id", "\(name) is not a valid id") }
            entities[name] = value
        }
        var filters: JSONValue?
        if let raw = Self.formValue("filters", in: request.uri.query ?? ""), !raw.isEmpty {
            guard let parsed = Mem0QueryValue.parse(raw) else {
                throw Problem.badRequest("invalid_filter", "filters is not a readable object")
            }
            filters = parsed
        }
        try self.init(entities: entities, filters: filters)
    }

    /// A query-string value decoded as a form (`+` is a space, as `httpx` writes it).
    static func formValue(_ name: String, in query: String) -> String? {
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0] == name else { continue }
            return parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding
        }
        return nil
    }

    private init(entities: [String: String], filters: JSONValue?) throws {
        self.entities = entities
        var parts: [Mem0Filter] = entities.keys.sorted().map { name in
            let field: Mem0Filter.Field = name == "user_id" ? .userID : name == "agent_id" ? .agentID : name == "run_id" ? .runID : .appID
            return entities[name] == "*" ? .test(field, .present, .null) : .test(field, .eq, .string(entities[name]!))
        }
        if let filters, filters != .null, filters.objectValue?.isEmpty != true { parts.append(try Mem0Filter.parse(filters)) }
        filter = parts.count == 1 ? parts[0] : .all(parts)
    }

    /// Whether the call names nothing at all (a delete of this would reach the whole tenant).
    var isUnrestricted: Bool { filter.simplified().isEverything }

    /// The one user an add writes to: `user_id` at the top level or in `filters`.
    func singleUser() throws -> String {
        guard case .named(let names) = filter.users, names.count == 1, let user = names.first, Identifiers.isValid(user) else {
            throw Problem.badRequest(
                "missing_field", "user_id is required (at the top level or in filters): Pika keeps every memory under one user")
        }
        return user
    }

    /// An entity id given at the top level or as an equality in `filters`.
    func id(_ field: Mem0Filter.Field, _ name: String) -> String? {
        if let value = entities[name], value != "*" { return value }
        return filter.equality(field)
    }
}

extension Mem0Filter {
    /// The value `field` must equal through `AND`s, if the filter says so.
    func equality(_ field: Field) -> String? {
        switch self {
        case .test(let f, .eq, let value) where f == field: return value.stringValue
        case .all(let parts):
            for part in parts { if let value = part.equality(field) { return value } }
            return nil
        default: return nil
        }
    }

    /// Whether the filter is the always-true one.
    var isEverything: Bool {
        if case .all(let parts) = self, parts.isEmpty { return true }
        return false
    }

    /// The same filter with constant parts folded: true parts leave `AND`s, an `OR` with a true part
    /// is true, single-element lists collapse.
    func simplified() -> Mem0Filter {
        switch self {
        case .test: return self
        case .all(let parts):
            var kept: [Mem0Filter] = []
            for part in parts.map({ $0.simplified() }) {
                if part.isEverything { continue }
                if case .any(let inner) = part, inner.isEmpty { return .any([]) }
                kept.append(part)
            }
            return kept.count == 1 ? kept[0] : .all(kept)
        case .any(let parts):
            let simple = parts.map { $0.simplified() }
            if simple.contains(where: \.isEverything) { return .everything }
            let kept = simple.filter { if case .any(let inner) = $0, inner.isEmpty { false } else { true } }
            return kept.count == 1 ? kept[0] : .any(kept)
        case .none(let parts):
            let simple = parts.map { $0.simplified() }
            if simple.contains(where: \.isEverything) { return .any([]) }
            let kept = simple.filter { if case .any(let inner) = $0, inner.isEmpty { false } else { true } }
            return kept.isEmpty ? .everything : .none(kept)
        }
    }
}
