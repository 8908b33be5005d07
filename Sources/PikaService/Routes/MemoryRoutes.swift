import Foundation
import Hummingbird
import PikaMemory

/// `/v1/memories…` and the customer's `/search_facts`, `/extract_facts`.
struct MemoryRoutes {
    let deps: ServiceDependencies

    func register(on router: Router<PikaRequestContext>) {
        router.post("/v1/memories") { request, context in try await add(request, context, forceAsync: false) }
        router.post("/extract_facts") { request, context in try await add(request, context, forceAsync: true) }
        router.post("/v1/memories/search") { request, context in try await search(request, context) }
        router.post("/search_facts") { request, context in try await search(request, context) }
        router.get("/v1/memories") { request, context in try await list(request, context) }
        router.get("/v1/memories/:id") { _, context in
            let key = try context.require(.read)
            let record = try await deps.manager.memory(id: try memoryID(context), tenant: key.tenant)
            return try JSONBody.response(.ok, MemoryOut(record: record))
        }
        router.put("/v1/memories/:id") { request, context in
            let key = try context.require(.write)
            let id = try memoryID(context)
            let fields = Fields(object: try await JSONBody.object(request))
            let text = try fields.string("text", maxLength: 10_000)
            let metadata = try fields.metadata("metadata")
            guard text != nil || metadata != nil else { throw Problem.badRequest("missing_field", "text or metadata is required") }
            let record = try await deps.manager.update(id: id, tenant: key.tenant, text: text, metadata: metadata)
            return try JSONBody.response(.ok, MemoryOut(record: record))
        }
        router.delete("/v1/memories/:id") { _, context in
            let key = try context.require(.write)
            let id = try memoryID(context)
            try await deps.manager.delete(id: id, tenant: key.tenant)
            return try JSONBody.response(.ok, ["id": id, "status": "deleted"])
        }
        router.get("/v1/memories/:id/history") { _, context in
            let key = try context.require(.read)
            let entries = try await deps.manager.history(id: try memoryID(context), tenant: key.tenant)
            return try JSONBody.response(.ok, ["results": entries.map(HistoryOut.init)])
        }
    }

    private func memoryID(_ context: PikaRequestContext) throws -> String {
        guard let raw = context.parameters.get("id"), let id = Identifiers.uuid(raw) else {
            throw Problem.badRequest("invalid_id", "memory id must be a UUID")
        }
        return id
    }

    private func add(_ request: Request, _ context: PikaRequestContext, forceAsync: Bool) async throws -> Response {
        let key = try context.require(.write)
        let fields = Fields(object: try await JSONBody.object(request, upTo: JSONBody.addMaxBytes))
        let userID = try fields.id("user_id", required: true)!
        let input = AddInput(
            messages: try Self.messages(fields.object["messages"]),
            agentID: try fields.id("agent_id"), runID: try fields.id("run_id"),
            metadata: try fields.metadata("metadata") ?? [:], infer: try fields.bool("infer") ?? true,
            timestamp: try fields.time("timestamp"))
        let asyncFlag = try fields.bool("async") ?? true
        let isAsync = forceAsync || asyncFlag
        var idempotencyKey = request.headers[.init("Idempotency-Key")!]
        if let candidate = idempotencyKey {
            guard !candidate.isEmpty, candidate.count <= 200 else {
                throw Problem.badRequest("invalid_idempotency_key", "Idempotency-Key must be 1-200 characters")
            }
        } else {
            idempotencyKey = nil
        }
        BusinessMetrics.extractRequests(deps.metricsFactory).increment()
        let payload = try CanonicalJSON.text(of: input)
        let now = Date()
        let job = JobRecord(
            id: UUID().uuidString.lowercased(), scope: MemoryScope(tenant: key.tenant, userID: userID), kind: "add",
            payload: payload, status: isAsync ? .queued : .processing, attempts: isAsync ? 0 : 1,
            maxAttempts: deps.configuration.jobMaxAttempts, createdAt: now, updatedAt: now)
        let (stored, created) = try await deps.jobs.enqueue(job, idempotencyKey: idempotencyKey)
        if isAsync || (!created && stored.status != .completed && stored.status != .failed) {
            return try JSONBody.response(.accepted, ["job_id": stored.id, "status": stored.status.rawValue])
        }
        if created { await deps.runner.process(stored) }
        guard let done = try await deps.jobs.job(id: stored.id, tenant: key.tenant) else {
            throw Problem(.internalServerError, "internal_error", "job vanished")
        }
        if done.status == .completed, let result = done.result {
            // Nobody can ask for this result again: the caller never saw the job's id and has no key to
            // replay with. Keeping it would store every memory's text a second time until retention.
            if created && idempotencyKey == nil { try await deps.jobs.forgetResult(id: done.id) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: result)))
        }
        if done.status == .failed || done.error != nil { throw Problem.unfinishedJob(done) }
        // This request ran the attempt, yet it is still `processing`: its outcome could not even be
        // recorded (a full disk, say). Nothing was acknowledged; the lease runs out and it is retried.
        if created && done.status == .processing {
            throw Problem(.serviceUnavailable, "job_failed", "the memories could not be stored now; job \(done.id) will be retried")
        }
        return try JSONBody.response(.accepted, ["job_id": done.id, "status": done.status.rawValue])
    }

    static func messages(_ value: JSONValue?) throws -> [ConversationMessage] {
        guard let value, value != .null else { throw Problem.badRequest("missing_field", "messages is required") }
        if let text = value.stringValue {
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw Problem.badRequest("invalid_argument", "messages must not be empty")
            }
            return [ConversationMessage(role: "user", content: text)]
        }
        guard let list = value.arrayValue else {
            throw Problem.badRequest("invalid_type", "messages must be a string or an array of {role, content}")
        }
        guard !list.isEmpty else { throw Problem.badRequest("invalid_argument", "messages must not be empty") }
        guard list.count <= 200 else { throw Problem.badRequest("too_many_messages", "at most 200 messages per call") }
        return try list.enumerated().map { index, item in
            guard let object = item.objectValue else { throw Problem.badRequest("invalid_type", "messages[\(index)] must be an object") }
            let fields = Fields(object: object)
            guard let role = try fields.string("role", required: true, maxLength: 32), !role.isEmpty else {
                throw Problem.badRequest("missing_field", "messages[\(index)].role is required")
            }
            let content = try fields.string("content", required: true, maxLength: 100_000)!
            return ConversationMessage(
                role: role, content: content, metadata: try fields.metadata("metadata"),
                name: try fields.string("name", maxLength: 128),
                timestamp: try fields.time("timestamp", label: "messages[\(index)].timestamp"))
        }
    }

    private func search(_ request: Request, _ context: PikaRequestContext) async throws -> Response {
        let key = try context.require(.read)
        let fields = Fields(object: try await JSONBody.object(request))
        BusinessMetrics.searchRequests(deps.metricsFactory).increment()
        let query = try fields.string("query", required: true, maxLength: 2000)!
        guard !query.trimmingWhitespace.isEmpty else {
            throw Problem.badRequest("empty_query", "query must not be empty")
        }
        let userID = try fields.id("user_id", required: true)!
        var filter: MemoryFilter?
        if let raw = fields.object["filters"], raw != .null {
            filter = try MemoryFilter.parse(raw)
        }
        var mode = SearchMode.hybrid  // measured best (docs/evaluation.md)
        if let raw = try fields.string("mode", maxLength: 16) {
            guard let parsed = SearchMode(rawValue: raw) else {
                throw Problem.badRequest("invalid_mode", "mode must be one of vector, keyword, hybrid")
            }
            mode = parsed
        }
        let threshold = try fields.number("threshold")
        // BM25 scores are unbounded; cosine and fused scores lie in -1...1.
        if let threshold, mode != .keyword, !(-1...1).contains(threshold) {
            throw Problem.badRequest("invalid_threshold", "threshold must be -1...1 in \(mode.rawValue) mode")
        }
        let tiered = try await deps.search.search(
            SearchQuery(
                text: query, scope: MemoryScope(tenant: key.tenant, userID: userID), agentID: try fields.id("agent_id"),
                runID: try fields.id("run_id"), limit: try fields.limit(default: 10), filter: filter,
                threshold: threshold.map(Float.init), mode: mode, referenceTime: try fields.time("reference_time")))
        let answer = tiered.answer
        let body = SearchAnswerJSON.bytes(
            results: answer.results.map { MemoryOut(record: $0.record, score: $0.score) }, relations: answer.relations)
        var response = Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        // Which tier answered (l0, l1, l2 or engine): for operators and the cache tests.
        response.headers[.init("X-Pika-Cache")!] = tiered.source?.rawValue ?? "engine"
        return response
    }

    private func list(_ request: Request, _ context: PikaRequestContext) async throws -> Response {
        let key = try context.require(.read)
        let query = request.uri.queryParameters
        func param(_ name: String) -> String? { query.get(name) }
        guard let userID = param("user_id") else { throw Problem.badRequest("missing_field", "user_id is required") }
        for (name, value) in [("user_id", Optional(userID)), ("agent_id", param("agent_id")), ("run_id", param("run_id"))] {
            if let value, !Identifiers.isValid(value) { throw Problem.badRequest("invalid_id", "\(name) is not a valid id") }
        }
        var limit = 20
        if let raw = param("limit") {
            guard let value = Int(raw), (1...100).contains(value) else {
                throw Problem.badRequest("invalid_limit", "limit must be an integer 1...100")
            }
            limit = value
        }
        var after: UInt64 = 0
        if let raw = param("cursor"), !raw.isEmpty {
            guard let label = Cursor.decode(raw) else {
                throw Problem.badRequest("invalid_cursor", "cursor must be the next_cursor of a page")
            }
            after = label
        }
        let page = try await deps.manager.list(
            scope: MemoryScope(tenant: key.tenant, userID: userID), agentID: param("agent_id"), runID: param("run_id"),
            after: after, limit: limit)
        return try JSONBody.response(
            .ok, CursorPage(results: page.records.map { MemoryOut(record: $0) }, nextCursor: page.next.map(Cursor.encode)))
    }
}
