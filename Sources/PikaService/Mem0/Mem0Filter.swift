import Foundation
import PikaMemory

/// A filter as the Mem0 SDK sends it (`filters`): `AND` / `OR` / `NOT` lists; the entity ids
/// `user_id`, `agent_id`, `run_id`, `app_id`; `created_at` / `updated_at` ranges; Pika's `kind`
/// (`fact`, `event`) and `occurred_at` range; `keywords` (the memory text); `metadata` holding
/// metadata fields (other top-level keys name metadata fields too);
/// operators `eq ne in nin gt gte lt lte contains icontains`; the value `"*"` means "present".
///
/// It is evaluated per record; ``engineFilter()`` hands the engine an exact ``MemoryFilter`` when the
/// filter can be written as one, so such filters apply inside the search, not after top-k.
indirect enum Mem0Filter: Sendable {
    /// All hold (`.all([])` is true).
    case all([Mem0Filter])
    /// Any holds (`.any([])` is false).
    case any([Mem0Filter])
    /// None holds.
    case none([Mem0Filter])
    /// One comparison.
    case test(Field, Op, JSONValue)

    /// What a comparison looks at.
    enum Field: Sendable, Equatable {
        case userID, agentID, runID, appID, createdAt, updatedAt, text, kind, occurredAt
        case metadata(String)
    }

    /// Comparison operators; `present` is the `"*"` wildcard.
    enum Op: String, Sendable {
        case eq, ne, `in`, nin, gt, gte, lt, lte, contains, icontains, present
    }

    /// The always-true filter.
    static let everything = Mem0Filter.all([])

    /// Parses `filters`, a 400 (`invalid_filter`) naming what is wrong.
    static func parse(_ json: JSONValue) throws -> Mem0Filter {
        var budget = 256
        return try parse(json, depth: 0, budget: &budget)
    }

    private static func parse(_ json: JSONValue, depth: Int, budget: inout Int) throws -> Mem0Filter {
        budget -= 1
        guard depth < 16, budget > 0 else { throw Problem.badRequest("invalid_filter", "filters are nested too deeply or too large") }
        guard let object = json.objectValue else { throw Problem.badRequest("invalid_filter", "filters must be a JSON object") }
        var parts: [Mem0Filter] = []
        for key in object.keys.sorted() {
            let value = object[key]!
            switch key {
            case "AND", "OR", "NOT", "and", "or", "not":
                // NOT may hold one filter or a list of them.
                let list = value.arrayValue ?? (value.objectValue != nil ? [value] : nil)
                guard let list, !list.isEmpty else { throw Problem.badRequest("invalid_filter", "\(key) takes a list of filters") }
                var children: [Mem0Filter] = []
                for child in list { children.append(try parse(child, depth: depth + 1, budget: &budget)) }
                switch key.uppercased() {
                case "AND": parts.append(.all(children))
                case "OR": parts.append(.any(children))
                default: parts.append(.none(children))
                }
            case "metadata":
                guard let fields = value.objectValue else {
                    throw Problem.badRequest("invalid_filter", "metadata filter must be an object of fields")
                }
                for name in fields.keys.sorted() { parts += try comparisons(.metadata(name), fields[name]!, name: name) }
            default:
                guard key.count <= 128 else { throw Problem.badRequest("invalid_filter", "filter field name too long") }
                parts += try comparisons(field(key), value, name: key)
            }
        }
        return parts.count == 1 ? parts[0] : .all(parts)
    }

    private static func field(_ key: String) -> Field {
        switch key {
        case "user_id": .userID
        case "agent_id": .agentID
        case "run_id": .runID
        case "app_id": .appID
        case "created_at": .createdAt
        case "updated_at": .updatedAt
        case "kind": .kind
        case "occurred_at": .occurredAt
        case "keywords", "memory", "text": .text
        default: .metadata(key)
        }
    }

    private static func comparisons(_ field: Field, _ value: JSONValue, name: String) throws -> [Mem0Filter] {
        guard let ops = value.objectValue else {
            if value.stringValue == "*" { return [.test(field, .present, .null)] }
            return [.test(field, .eq, value)]
        }
        guard !ops.isEmpty else { throw Problem.badRequest("invalid_filter", "field \(name) has no operator") }
        return try ops.keys.sorted().map { opName in
            let operand = ops[opName]!
            guard let op = Op(rawValue: opName), op != .present else {
                throw Problem.badRequest("invalid_filter", "unsupported filter operator '\(opName)' on \(name)")
            }
            if op == .in || op == .nin, operand.arrayValue == nil {
                throw Problem.badRequest("invalid_filter", "\(opName) on \(name) needs a list")
            }
            if operand.stringValue == "*", op == .eq { return .test(field, .present, .null) }
            return .test(field, op, operand)
        }
    }
}

extension Mem0Filter {
    /// Which users a filter can match: named ones, or any user of the tenant.
    enum Users: Equatable {
        case named(Set<String>)
        case any
    }

    /// The users the filter restricts `user_id` to (through `AND`s); `.any` when it does not.
    var users: Users {
        switch self {
        case .test(.userID, .eq, let value): return value.stringValue.map { .named([$0]) } ?? .named([])
        case .test(.userID, .in, let list): return .named(Set((list.arrayValue ?? []).compactMap(\.stringValue)))
        case .all(let parts):
            var result = Users.any
            for part in parts {
                guard case .named(let names) = part.users else { continue }
                if case .named(let current) = result { result = .named(current.intersection(names)) } else { result = .named(names) }
            }
            return result
        case .any(let parts) where !parts.isEmpty:
            var names = Set<String>()
            for part in parts {
                guard case .named(let some) = part.users else { return .any }
                names.formUnion(some)
            }
            return .named(names)
        default: return .any
        }
    }

    /// The filter for records of one user: its `user_id` comparisons decided.
    func specialized(userID: String) -> Mem0Filter {
        switch self {
        case .all(let parts): return .all(parts.map { $0.specialized(userID: userID) })
        case .any(let parts): return .any(parts.map { $0.specialized(userID: userID) })
        case .none(let parts): return .none(parts.map { $0.specialized(userID: userID) })
        case .test(.userID, let op, let value):
            return Self.compare(.string(userID), op, value) ? .everything : .any([])
        case .test: return self
        }
    }

    /// The same filter as an engine ``MemoryFilter``, when it can be written as one exactly; nil for
    /// one that needs ``matches(_:)`` (dates, text, wildcards, `contains`, `user_id` left undecided).
    func engineFilter() -> MemoryFilter? {
        switch self {
        case .all(let parts): return parts.mapAll { $0.engineFilter() }.map(MemoryFilter.and)
        case .any(let parts): return parts.mapAll { $0.engineFilter() }.map(MemoryFilter.or)
        case .none(let parts): return parts.mapAll { $0.engineFilter() }.map(MemoryFilter.not)
        case .test(let field, let op, let value):
            guard let engineOp = MemoryFilter.Operator(rawValue: op.rawValue), engineOp != .contains else { return nil }
            switch field {
            case .agentID: return .compare(field: "agent_id", op: engineOp, value: value)
            case .runID: return .compare(field: "run_id", op: engineOp, value: value)
            case .appID: return .compare(field: Mem0Record.appIDKey, op: engineOp, value: value)
            case .kind: return .compare(field: "kind", op: engineOp, value: value)
            case .metadata(let name) where name != "agent_id" && name != "run_id":
                return .compare(field: name, op: engineOp, value: value)
            default: return nil
            }
        }
    }

    /// Whether `record` satisfies the filter.
    func matches(_ record: MemoryRecord) -> Bool {
        switch self {
        case .all(let parts): return parts.allSatisfy { $0.matches(record) }
        case .any(let parts): return parts.contains { $0.matches(record) }
        case .none(let parts): return !parts.contains { $0.matches(record) }
        case .test(let field, let op, let operand):
            switch field {
            case .createdAt: return Self.compareDates(record.createdAt, op, operand)
            case .updatedAt: return Self.compareDates(record.updatedAt, op, operand)
            case .occurredAt:
                guard let occurredAt = record.occurredAt else { return op == .ne || op == .nin }
                return Self.compareDates(occurredAt, op, operand)
            case .kind: return Self.compare(.string(record.kind.rawValue), op, operand)
            case .userID: return Self.compare(.string(record.scope.userID), op, operand)
            case .agentID: return Self.compare(record.agentID.map(JSONValue.string), op, operand)
            case .runID: return Self.compare(record.runID.map(JSONValue.string), op, operand)
            case .appID: return Self.compare(record.metadata[Mem0Record.appIDKey], op, operand)
            case .text: return Self.compare(.string(record.text), op, operand)
            case .metadata(let name): return Self.compare(record.metadata[name], op, operand)
            }
        }
    }

    /// One comparison; a missing value satisfies only `ne` and `nin`.
    static func compare(_ value: JSONValue?, _ op: Op, _ operand: JSONValue) -> Bool {
        let value = value == .null ? nil : value
        switch op {
        case .present: return value != nil
        case .contains, .icontains:
            let fold = op == .icontains
            func has(_ text: String) -> Bool {
                guard let needle = operand.stringValue else { return false }
                return fold ? text.localizedLowercase.contains(needle.localizedLowercase) : text.contains(needle)
            }
            switch value {
            case .string(let text): return has(text)
            case .array(let items): return items.contains { item in item.stringValue.map(has) ?? (item == operand) }
            default: return false
            }
        default:
            // The engine filter's own semantics for the operators it shares.
            guard let engineOp = MemoryFilter.Operator(rawValue: op.rawValue) else { return false }
            var record = MemoryRecord.probe
            if let value { record.metadata["v"] = value }
            return MemoryFilter.compare(field: "v", op: engineOp, value: operand).matches(record)
        }
    }

    /// A date comparison; operands are ISO 8601 dates or date-times, or Unix seconds.
    static func compareDates(_ date: Date, _ op: Op, _ operand: JSONValue) -> Bool {
        func seconds(_ value: JSONValue) -> Double? {
            if let number = value.numberValue { return number }
            return value.stringValue.flatMap(Mem0Dates.parse)?.timeIntervalSince1970
        }
        let mine = date.timeIntervalSince1970
        switch op {
        case .present: return true
        case .in, .nin:
            let hit = (operand.arrayValue ?? []).contains { seconds($0) == mine }
            return op == .in ? hit : !hit
        default:
            guard let other = seconds(operand) else { return false }
            switch op {
            case .eq: return mine == other
            case .ne: return mine != other
            case .gt: return mine > other
            case .gte: return mine >= other
            case .lt: return mine < other
            case .lte: return mine <= other
            default: return false
            }
        }
    }
}

extension Array {
    /// `transform` of every element, or nil as soon as one gives nil.
    fileprivate func mapAll<T>(_ transform: (Element) -> T?) -> [T]? {
        var out: [T] = []
        for element in self {
            guard let value = transform(element) else { return nil }
            out.append(value)
        }
        return out
    }
}

/// Dates as Mem0 callers write them.
enum Mem0Dates {
    /// `2024-07-01`, `2024-07-01T10:00:00Z`, with or without fractional seconds or a zone (UTC then).
    static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = plain.date(from: text) ?? fractional.date(from: text) { return date }
        if let date = plain.date(from: text + "Z") ?? fractional.date(from: text + "Z") { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }
}
