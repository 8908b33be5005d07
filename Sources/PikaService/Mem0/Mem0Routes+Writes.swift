import Foundation
import Hummingbird
import PikaMemory

extension Mem0Routes {
    /// Which add route was called: 2.x's `/v3/memories/add/` or 1.0's `/v1/memories/`.
    enum AddStyle { case v3, v1 }

    /// An add becomes a job (its id is Mem0's `event_id`); `async_mode: false` waits for it.
    func add(_ request: Request, _ context: PikaRequestContext, style: AddStyle) async throws -> Response {
        let key = try context.require(.write)
        let body = try await Mem0JSON.body(request, upTo: JSONBody.addMaxBytes)
        let fields = Fields(object: body)
        let target = try Mem0Request(body: body)
        let userID = try target.singleUser()
        var metadata = try fields.metadata("metadata") ?? [:]
        if let app = target.id(.appID, "app_id") { metadata[Mem0Record.appIDKey] = .string(app) }
        let agentID = target.id(.agentID, "agent_id")
        let runID = target.id(.runID, "run_id")
        for id in [agentID, runID].compactMap({ $0 }) where !Identifiers.isValid(id) {
            throw Problem.badRequest("invalid_id", "agent_id and run_id must be 1-128 characters of letters, digits and _-.:@")
        }
        let input = AddInput(
            messages: try MemoryRoutes.messages(body["messages"]), agentID: agentID, runID: runID, metadata: metadata,
            infer: try fields.bool("infer") ?? true, timestamp: try fields.time("timestamp"))
        let isAsync = try fields.bool("async_mode") ?? true
        BusinessMetrics.extractRequests(deps.metricsFactory).increment()
        let now = Date()
        let job = JobRecord(
            id: UUID().uuidString.lowercased(), scope: MemoryScope(tenant: key.tenant, userID: userID), kind: "add",
            payload: try CanonicalJSON.text(of: input), status: isAsync ? .queued : .processing,
            attempts: isAsync ? 0 : 1, maxAttempts: deps.configuration.jobMaxAttempts, createdAt: now, updatedAt: now)
        let (stored, _) = try await deps.jobs.enqueue(job, idempotencyKey: nil)
        let queued = "Memory processing has been queued for background execution"
        if isAsync {
            switch style {
            case .v3:
                return try Mem0JSON.response(["status": .string("PENDING"), "event_id": .string(stored.id), "message": .string(queued)])
            case .v1:
                let item: JSONValue = .object(["message": .string(queued), "status": .string("PENDING"), "event_id": .string(stored.id)])
                return try Mem0JSON.response(["results": .array([item])])
            }
        }
        await deps.runner.process(stored)
        let finished = try await deps.jobs.job(id: stored.id, tenant: key.tenant)
        guard let done = finished, done.status == .completed else { throw Problem.unfinishedJob(finished) }
        let results = Mem0AddResults.list(done.result)
        switch style {
        case .v3:
            return try Mem0JSON.response(["status": .string("SUCCEEDED"), "event_id": .string(done.id), "results": .array(results)])
        case .v1:
            if fields.object["output_format"]?.stringValue == "v1.0" { return try JSONBody.response(.ok, JSONValue.array(results)) }
            return try Mem0JSON.response(["results": .array(results)])
        }
    }

    /// `DELETE /v1/memories/`: the memories the ids and filters match. A whole user (nothing but
    /// `user_id` given) goes at once, with its history and graph; refused when nothing is named.
    func deleteAll(_ target: Mem0Request, key: APIKeyRecord) async throws {
        guard !target.isUnrestricted else {
            throw Problem.badRequest("missing_field", "name user_id, agent_id, run_id or app_id (or filters) to delete memories")
        }
        for user in try await candidateUsers(target.filter, tenant: key.tenant) {
            let filter = target.filter.specialized(userID: user).simplified()
            let scope = MemoryScope(tenant: key.tenant, userID: user)
            if filter.isEverything {
                _ = try await deps.manager.deleteUser(scope)
                continue
            }
            for record in try await deps.manager.store.allRecords(scope: scope) where filter.matches(record) {
                do { try await deps.manager.delete(id: record.id, tenant: key.tenant) } catch let error as MemoryError
                    where error.code == .notFound
                {}
            }
        }
    }

    /// `PUT /v1/batch/` (`{"memories": [{"memory_id", "text"?, "metadata"?}]}`) and `DELETE /v1/batch/`
    /// (`{"memories": [{"memory_id"}]}`), at most 1,000 at once. Every id is checked first (an unknown
    /// one is a 404 and nothing changes); then each is applied in order.
    func batch(_ request: Request, _ context: PikaRequestContext, update: Bool) async throws -> Response {
        let key = try context.require(.write)
        guard let items = try await Mem0JSON.body(request)["memories"]?.arrayValue, !items.isEmpty, items.count <= 1000 else {
            throw Problem.badRequest("invalid_argument", "memories must be a list of 1-1000 {memory_id, ...}")
        }
        var changes: [(id: String, text: String?, metadata: [String: JSONValue]?)] = []
        for item in items {
            let fields = Fields(object: item.objectValue ?? [:])
            guard let raw = try fields.string("memory_id", required: true, maxLength: 64), let id = Identifiers.uuid(raw) else {
                throw Problem(.notFound, "not_found", "memory not found")
            }
            _ = try await deps.manager.memory(id: id, tenant: key.tenant)
            changes.append((id, try fields.string("text", maxLength: 10_000), try fields.metadata("metadata")))
        }
        for change in changes {
            if !update {
                try await deps.manager.delete(id: change.id, tenant: key.tenant)
            } else if change.text != nil || change.metadata != nil {
                _ = try await deps.manager.update(id: change.id, tenant: key.tenant, text: change.text, metadata: change.metadata)
            }
        }
        return try Mem0JSON.response(["message": .string("Successfully \(update ? "updated" : "deleted") \(changes.count) memories")])
    }

    /// `DELETE /v2/entities/{type}/{name}/`: a user is deleted as `DELETE /v1/users/{user_id}` does
    /// (memories, history, graph, jobs); an agent, run or app loses the memories it holds.
    func deleteEntity(_ context: PikaRequestContext) async throws -> Response {
        let key = try context.require(.write)
        // The SDK percent-encodes the name (an `@` in an e-mail address, say).
        guard let type = context.parameters.get("type"), let name = context.parameters.get("name")?.removingPercentEncoding,
            Identifiers.isValid(name)
        else {
            throw Problem.badRequest("invalid_id", "entity name must be 1-128 characters of letters, digits and _-.:@")
        }
        switch type {
        case "user":
            let scope = MemoryScope(tenant: key.tenant, userID: name)
            let removed = try await deps.manager.deleteUser(scope)
            try await deps.jobs.deleteScope(scope)
            try await deps.backends.audit.record(
                AuditEntry(
                    tenant: key.tenant, actor: key.id, action: AuditEntry.Action.userDeleted, target: name,
                    detail: ["deleted_memories": .number(Double(removed))], createdAt: .now))
        case "agent", "run", "app":
            let field: Mem0Filter.Field = type == "agent" ? .agentID : type == "run" ? .runID : .appID
            try await deleteAll(Mem0Request(filter: .test(field, .eq, .string(name))), key: key)
        default:
            throw Problem.badRequest("invalid_argument", "entity type must be user, agent, run or app")
        }
        return try Mem0JSON.response(["message": .string("Entity deleted successfully.")])
    }
}
