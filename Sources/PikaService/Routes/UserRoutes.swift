import Foundation
import Hummingbird
import PikaMemory

/// `/v1/users`: the tenant's users; `/v1/users/{user_id}…`: delete everything, export, import, graph.
struct UserRoutes {
    let deps: ServiceDependencies

    func register(on router: Router<PikaRequestContext>) {
        router.get("/v1/users") { request, context in
            let key = try context.require(.read)
            let query = request.uri.queryParameters
            var limit = 50
            if let raw = query.get("limit") {
                guard let value = Int(raw), (1...200).contains(value) else {
                    throw Problem.badRequest("invalid_limit", "limit must be an integer 1...200")
                }
                limit = value
            }
            var after: String?
            if let raw = query.get("cursor"), !raw.isEmpty {
                guard let userID = UserCursor.decode(raw) else {
                    throw Problem.badRequest("invalid_cursor", "cursor must be the next_cursor of a page")
                }
                after = userID
            }
            let page = try await deps.manager.users(tenant: key.tenant, after: after, limit: limit)
            struct User: Encodable {
                let userID: String
                let memoryCount: Int
                enum CodingKeys: String, CodingKey {
                    case userID = "user_id"
                    case memoryCount = "memory_count"
                }
            }
            return try JSONBody.response(
                .ok,
                CursorPage(
                    results: page.users.map { User(userID: $0.userID, memoryCount: $0.memoryCount) },
                    nextCursor: page.next.map(UserCursor.encode)))
        }
        router.delete("/v1/users/:user_id") { _, context in
            let key = try context.require(.write)
            let scope = try scope(context, key)
            let removed = try await deps.manager.deleteUser(scope)
            try await deps.jobs.deleteScope(scope)
            try await deps.backends.audit.record(
                AuditEntry(
                    tenant: key.tenant, actor: key.id, action: AuditEntry.Action.userDeleted, target: scope.userID,
                    detail: ["deleted_memories": .number(Double(removed))], createdAt: .now))
            return try JSONBody.response(.ok, ["user_id": .string(scope.userID), "deleted_memories": JSONValue.number(Double(removed))])
        }
        router.get("/v1/users/:user_id/export") { _, context in
            let key = try context.require(.read)
            let lines = try await deps.manager.export(try scope(context, key))
            var buffer = ByteBuffer()
            for line in lines { buffer.writeString(try line.jsonLine() + "\n") }
            return Response(status: .ok, headers: [.contentType: "application/x-ndjson"], body: .init(byteBuffer: buffer))
        }
        router.post("/v1/users/:user_id/import") { request, context in
            let key = try context.require(.write)
            let scope = try scope(context, key)
            let lines = try ImportLines.request(try await JSONBody.text(request))
            guard lines.count <= 10_000 else { throw Problem.badRequest("too_many_lines", "at most 10000 lines per import") }
            let outcome = try await deps.manager.importLines(lines, scope: scope)
            try await deps.backends.audit.record(
                AuditEntry(
                    tenant: key.tenant, actor: key.id, action: AuditEntry.Action.memoriesImported, target: scope.userID,
                    detail: ["imported": .number(Double(outcome.imported)), "skipped": .number(Double(outcome.skipped))],
                    createdAt: .now))
            return try JSONBody.response(.ok, ["imported": outcome.imported, "skipped": outcome.skipped])
        }
        router.get("/v1/users/:user_id/graph") { request, context in
            let key = try context.require(.read)
            let query = request.uri.queryParameters
            var depth = 2
            if let raw = query.get("depth") {
                guard let value = Int(raw), (1...5).contains(value) else {
                    throw Problem.badRequest("invalid_depth", "depth must be 1...5")
                }
                depth = value
            }
            let entity = query.get("entity")
            if let entity, entity.isEmpty || entity.count > 200 {
                throw Problem.badRequest("invalid_argument", "entity must be 1-200 characters")
            }
            let (entities, relations) = try await deps.manager.graph(scope: try scope(context, key), entity: entity, depth: depth)
            struct Out: Encodable {
                let entities: [GraphEntity]
                let relations: [GraphRelation]
            }
            return try JSONBody.response(.ok, Out(entities: entities, relations: relations))
        }
    }

    private func scope(_ context: PikaRequestContext, _ key: APIKeyRecord) throws -> MemoryScope {
        // The router leaves path parameters percent-encoded (`a%40b` for `a@b`).
        guard let user = context.parameters.get("user_id")?.removingPercentEncoding, Identifiers.isValid(user) else {
            throw Problem.badRequest("invalid_id", "user_id must be 1-128 characters of letters, digits and _-.:@")
        }
        return MemoryScope(tenant: key.tenant, userID: user)
    }
}
