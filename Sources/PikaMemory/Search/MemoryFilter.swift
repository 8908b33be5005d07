import Foundation

/// A metadata filter: `eq ne in nin gt gte lt lte contains` on fields, combined by `AND`, `OR`, `NOT`.
///
/// JSON form: `{"AND": [f, …]}`, `{"OR": [f, …]}`, `{"NOT": [f, …]}` (none of them holds), or
/// `{"field": {"op": value, …}}` (all operators hold), or `{"field": value}` for `eq`. Several keys
/// in one object are AND-ed. Fields name metadata keys; `agent_id` and `run_id` name the record's ids,
/// `kind` its kind (`fact`, `event`) and `occurred_at` its event time (operands in Unix seconds or
/// ISO 8601, compared as instants; a memory without one matches no comparison but `ne`/`nin`).
/// The filter is evaluated over the user's records before the engine search and handed to it as the
/// allowed label list, so it applies inside the search, not after top-k.
public indirect enum MemoryFilter: Sendable, Equatable {
    /// All hold.
    case and([MemoryFilter])
    /// Any holds.
    case or([MemoryFilter])
    /// None holds.
    case not([MemoryFilter])
    /// A comparison on one field.
    case compare(field: String, op: Operator, value: JSONValue)

    /// Comparison operators.
    public enum Operator: String, Sendable, CaseIterable {
        case eq, ne, `in`, nin, gt, gte, lt, lte, contains
    }

    /// Parses a filter, rejecting unknown operators, wrong operand types and absurd nesting.
    public static func parse(_ json: JSONValue) throws(MemoryError) -> MemoryFilter {
        var budget = 256
        return try parse(json, depth: 0, budget: &budget)
    }

    private static func parse(_ json: JSONValue, depth: Int, budget: inout Int) throws(MemoryError) -> MemoryFilter {
        budget -= 1
        guard depth < 16, budget > 0 else { throw MemoryError(.invalidFilter, "filter is nested too deeply or too large") }
        guard let object = json.objectValue, !object.isEmpty else {
            throw MemoryError(.invalidFilter, "a filter must be a non-empty JSON object")
        }
        var parts: [MemoryFilter] = []
        for key in object.keys.sorted() {
            let value = object[key]!
            switch key {
            case "AND", "OR", "NOT":
                guard let list = value.arrayValue, !list.isEmpty else {
                    throw MemoryError(.invalidFilter, "\(key) takes a non-empty array of filters")
                }
                var children: [MemoryFilter] = []
                for child in list { children.append(try parse(child, depth: depth + 1, budget: &budget)) }
                parts.append(key == "AND" ? .and(children) : key == "OR" ? .or(children) : .not(children))
            default:
                guard !key.isEmpty, key.count <= 128 else { throw MemoryError(.invalidFilter, "invalid filter field name") }
                if let ops = value.objectValue {
                    guard !ops.isEmpty else { throw MemoryError(.invalidFilter, "field \(key) has no operator") }
                    for (name, operand) in ops.sorted(by: { $0.key < $1.key }) {
                        guard let op = Operator(rawValue: name) else {
                            throw MemoryError(.invalidFilter, "unknown filter operator '\(name)' on field \(key)")
                        }
                        try check(op, operand, field: key)
                        parts.append(.compare(field: key, op: op, value: try normalised(operand, field: key)))
                    }
                } else {
                    parts.append(.compare(field: key, op: .eq, value: try normalised(value, field: key)))
                }
            }
        }
        return parts.count == 1 ? parts[0] : .and(parts)
    }

    /// `occurred_at` operands as Unix seconds, whatever form the caller wrote them in.
    private static func normalised(_ operand: JSONValue, field: String) throws(MemoryError) -> JSONValue {
        guard field == "occurred_at" else { return operand }
        if let list = operand.arrayValue {
            var times: [JSONValue] = []
            for item in list { times.append(try normalised(item, field: field)) }
            return .array(times)
        }
        guard let date = RequestTime.parse(operand) else {
            throw MemoryError(.invalidFilter, "occurred_at needs Unix seconds or an ISO 8601 time")
        }
        return .number(date.timeIntervalSince1970)
    }

    private static func check(_ op: Operator, _ operand: JSONValue, field: String) throws(MemoryError) {
        switch op {
        case .in, .nin:
            guard operand.arrayValue != nil else { throw MemoryError(.invalidFilter, "\(op.rawValue) on \(field) needs an array") }
        case .gt, .gte, .lt, .lte:
            guard operand.numberValue != nil || operand.stringValue != nil else {
                throw MemoryError(.invalidFilter, "\(op.rawValue) on \(field) needs a number or a string")
            }
        case .contains:
            if case .object = operand { throw MemoryError(.invalidFilter, "contains on \(field) needs a scalar") }
            if case .array = operand { throw MemoryError(.invalidFilter, "contains on \(field) needs a scalar") }
        case .eq, .ne: break
        }
    }

    /// Whether `record` satisfies the filter.
    public func matches(_ record: MemoryRecord) -> Bool {
        switch self {
        case .and(let parts): return parts.allSatisfy { $0.matches(record) }
        case .or(let parts): return parts.contains { $0.matches(record) }
        case .not(let parts): return !parts.contains { $0.matches(record) }
        case .compare(let field, let op, let operand):
            let value: JSONValue?
            switch field {
            case "agent_id": value = record.agentID.map { .string($0) }
            case "run_id": value = record.runID.map { .string($0) }
            case "kind": value = .string(record.kind.rawValue)
            case "occurred_at": value = record.occurredAt.map { .number($0.timeIntervalSince1970) }
            default: value = record.metadata[field]
            }
            return Self.compare(value, op, operand)
        }
    }

    private static func compare(_ value: JSONValue?, _ op: Operator, _ operand: JSONValue) -> Bool {
        switch op {
        case .eq: return value.map { equal($0, operand) } ?? false
        case .ne: return value.map { !equal($0, operand) } ?? true
        case .in: return value.map { v in operand.arrayValue?.contains { equal(v, $0) } ?? false } ?? false
        case .nin: return value.map { v in !(operand.arrayValue?.contains { equal(v, $0) } ?? false) } ?? true
        case .gt, .gte, .lt, .lte:
            guard let value, let order = order(value, operand) else { return false }
            switch op {
            case .gt: return order > 0
            case .gte: return order >= 0
            case .lt: return order < 0
            default: return order <= 0
            }
        case .contains:
            switch value {
            case .string(let text):
                guard let needle = operand.stringValue else { return false }
                return text.localizedLowercase.contains(needle.localizedLowercase)
            case .array(let items): return items.contains { equal($0, operand) }
            default: return false
            }
        }
    }

    private static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.numberValue, let y = b.numberValue { return x == y }
        return a == b
    }

    private static func order(_ a: JSONValue, _ b: JSONValue) -> Int? {
        if let x = a.numberValue, let y = b.numberValue { return x < y ? -1 : x > y ? 1 : 0 }
        if let x = a.stringValue, let y = b.stringValue { return x < y ? -1 : x > y ? 1 : 0 }
        return nil
    }
}
