import Foundation
import Hummingbird
import PikaMemory

extension Mem0Routes {
    /// Most users a tenant-wide Mem0 call (no `user_id`, or `"*"`) reaches.
    static let maxUsersPerCall = 10_000

    /// The users a filter can match: those it names, else every user of the tenant with memories.
    func candidateUsers(_ filter: Mem0Filter, tenant: String) async throws -> [String] {
        if case .named(let names) = filter.users { return names.filter { Identifiers.isValid($0) }.sorted() }
        return try await allUsers(tenant: tenant).map(\.userID)
    }

    /// Every user of the tenant with memories, at most ``maxUsersPerCall``.
    func allUsers(tenant: String) async throws -> [UserMemoryCount] {
        var users: [UserMemoryCount] = []
        var cursor: String?
        repeat {
            let page = try await deps.manager.users(tenant: tenant, after: cursor, limit: 1000)
            users += page.users
            cursor = page.next
        } while cursor != nil && users.count < Self.maxUsersPerCall
        return users
    }

    /// The tenant's memories the request matches, newest first.
    func matching(_ target: Mem0Request, tenant: String) async throws -> [MemoryRecord] {
        var records: [MemoryRecord] = []
        for user in try await candidateUsers(target.filter, tenant: tenant) {
            let filter = target.filter.specialized(userID: user).simplified()
            if case .any(let parts) = filter, parts.isEmpty { continue }
            records += try await deps.manager.store.allRecords(scope: MemoryScope(tenant: tenant, userID: user)).filter(filter.matches)
        }
        return records.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    /// `POST /v3/memories/` and `/v2/memories/`: `page` (from 1) and `page_size` (query or body) →
    /// `{count, next, previous, results}`.
    func page(_ target: Mem0Request, key: APIKeyRecord, request: Request, body: [String: JSONValue]) async throws -> Response {
        let query = request.uri.queryParameters
        func number(_ name: String, default value: Int, range: ClosedRange<Int>) throws -> Int {
            // The query wins over the body; each given value must be valid (none is skipped).
            var given: [Double] = []
            if let text = query.get(name) {
                guard let number = Double(text) else { throw Problem.badRequest("invalid_argument", "\(name) must be an integer") }
                given.append(number)
            }
            if let field = body[name], field != .null {
                guard let number = field.numberValue else { throw Problem.badRequest("invalid_argument", "\(name) must be an integer") }
                given.append(number)
            }
            // Checked as Doubles: Int(_:) traps on an infinity ("inf" parses as one) or a number past its range.
            let bounds = Double(range.lowerBound)...Double(range.upperBound)
            for number in given where !(number == number.rounded() && bounds.contains(number)) {
                throw Problem.badRequest("invalid_argument", "\(name) must be an integer in \(range.lowerBound)...\(range.upperBound)")
            }
            guard let raw = given.first else { return value }
            return Int(raw)
        }
        let page = try number("page", default: 1, range: 1...1_000_000)
        let size = try number("page_size", default: 100, range: 1...1000)
        let records = try await matching(target, tenant: key.tenant)
        let start = min((page - 1) * size, records.count)
        let slice = records[start..<min(start + size, records.count)]
        let path = Mem0Paths.publicPath(request.uri.path)
        func link(_ n: Int) -> JSONValue { .string("\(path)?page=\(n)&page_size=\(size)") }
        return try Mem0JSON.response([
            "count": .number(Double(records.count)),
            "next": start + size < records.count ? link(page + 1) : .null,
            "previous": page > 1 ? link(page - 1) : .null,
            "results": .array(try Mem0JSON.values(slice.map { Mem0Record(record: $0) })),
        ])
    }

    /// Search: each matched user's memories ranked as `POST /v1/memories/search` ranks them, merged
    /// by score. Scores lie in 0...1: the hybrid fused score, or with a `threshold` the cosine
    /// similarity (clamped at 0), which the threshold cuts, as Mem0's does.
    func search(_ request: Request, _ context: PikaRequestContext) async throws -> Response {
        let key = try context.require(.read)
        let body = try await Mem0JSON.body(request)
        let fields = Fields(object: body)
        let text = (try fields.string("query", required: true, maxLength: 2000) ?? "").trimmingWhitespace
        guard !text.isEmpty else { throw Problem.badRequest("empty_query", "query must not be empty") }
        let target = try Mem0Request(body: body)
        let limit = fields.object["top_k"] != nil ? try fields.limit("top_k", default: 10) : try fields.limit(default: 10)
        let threshold = try fields.number("threshold")
        if let threshold, !(0...1).contains(threshold) { throw Problem.badRequest("invalid_threshold", "threshold must be 0...1") }
        BusinessMetrics.searchRequests(deps.metricsFactory).increment()
        let users = try await candidateUsers(target.filter, tenant: key.tenant)
        var hits: [(record: MemoryRecord, score: Float)] = []
        var source: String?
        for user in users {
            let filter = target.filter.specialized(userID: user).simplified()
            if case .any(let parts) = filter, parts.isEmpty { continue }
            let engine = filter.isEverything ? nil : filter.engineFilter()
            // A filter the engine cannot take is applied to a deeper candidate list.
            let exact = filter.isEverything || engine != nil
            let answer = try await deps.search.search(
                SearchQuery(
                    text: text, scope: MemoryScope(tenant: key.tenant, userID: user), limit: exact ? limit : 100,
                    filter: engine, mode: threshold == nil ? .hybrid : .vector))
            source = answer.source?.rawValue ?? "engine"
            hits += answer.answer.results.filter { exact || filter.matches($0.record) }.map { ($0.record, min(1, max(0, $0.score))) }
        }
        hits.sort { $0.score > $1.score }
        let kept = hits.prefix(limit).filter { hit in threshold.map { Double(hit.score) >= $0 } ?? true }
        var response = try Mem0JSON.response([
            "results": .array(try Mem0JSON.values(kept.map { Mem0Record(record: $0.record, score: $0.score) }))
        ])
        if users.count == 1, let source { response.headers[.init("X-Pika-Cache")!] = source }
        return response
    }

    /// `GET /v1/entities/`: the tenant's users with their memory counts.
    func entities(_ context: PikaRequestContext) async throws -> Response {
        let key = try context.require(.read)
        let users = try await allUsers(tenant: key.tenant)
        let results: [JSONValue] = users.map { user in
            .object([
                "id": .string(user.userID), "name": .string(user.userID), "type": .string("user"),
                "total_memories": .number(Double(user.memoryCount)), "owner": .string(key.tenant),
                "organization": .string("org-\(key.tenant)"), "metadata": .object([:]),
                "created_at": .null, "updated_at": .null,
            ])
        }
        return try Mem0JSON.response([
            "count": .number(Double(results.count)), "next": .null, "previous": .null, "results": .array(results),
        ])
    }
}
