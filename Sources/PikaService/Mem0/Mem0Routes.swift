import Foundation
import Hummingbird
import PikaMemory

/// The routes the Mem0 SDKs call (`mem0ai` 2.x and 1.0.x, Python and TypeScript), mapped onto the
/// memory manager. They are mounted under ``prefix``: ``PikaResponder`` sends every request whose
/// path ends in `/` (as all of the SDKs' do) there, so `/v1/memories/` is Mem0's and `/v1/memories`
/// Pika's own. docs/mem0.md tells what is supported and how answers differ from Mem0's.
struct Mem0Routes {
    let deps: ServiceDependencies
    /// Where the Mem0 routes live in the router.
    static let prefix = "/_mem0"

    func register(on router: Router<PikaRequestContext>) {
        let p = Self.prefix
        router.get("\(p)/v1/ping") { _, context in
            let key = try context.require(.read)
            // 1.0 clients echo these ids in every call (accepted and ignored); they only need to be non-empty.
            return try Mem0JSON.response([
                "status": .string("ok"), "org_id": .string("org-\(key.tenant)"), "project_id": .string("project-\(key.tenant)"),
                "user_email": .null,
            ])
        }
        router.post("\(p)/v3/memories/add") { request, context in try await add(request, context, style: .v3) }
        router.post("\(p)/v1/memories") { request, context in try await add(request, context, style: .v1) }
        for version in ["v1", "v2", "v3"] {
            router.post("\(p)/\(version)/memories/search") { request, context in try await search(request, context) }
        }
        for version in ["v2", "v3"] {
            router.post("\(p)/\(version)/memories") { request, context in
                let key = try context.require(.read)
                let body = try await Mem0JSON.body(request)
                return try await page(Mem0Request(body: body), key: key, request: request, body: body)
            }
        }
        router.get("\(p)/v1/memories") { request, context in
            let key = try context.require(.read)
            let query = request.uri.queryParameters
            let records = try await matching(try Mem0Request(query: request), tenant: key.tenant)
            let out = records.map { Mem0Record(record: $0) }
            if query.get("output_format") == "v1.1" { return try Mem0JSON.response(["results": .array(try Mem0JSON.values(out))]) }
            return try JSONBody.response(.ok, out)
        }
        router.delete("\(p)/v1/memories") { request, context in
            let key = try context.require(.write)
            try await deleteAll(try Mem0Request(query: request), key: key)
            return try Mem0JSON.response(["message": .string("Memories deleted successfully!")])
        }
        router.get("\(p)/v1/memories/:id") { _, context in
            let key = try context.require(.read)
            return try JSONBody.response(
                .ok, Mem0Record(record: try await deps.manager.memory(id: try memoryID(context), tenant: key.tenant)))
        }
        router.put("\(p)/v1/memories/:id") { request, context in try await update(request, context) }
        router.delete("\(p)/v1/memories/:id") { _, context in
            let key = try context.require(.write)
            try await deps.manager.delete(id: try memoryID(context), tenant: key.tenant)
            return try Mem0JSON.response(["message": .string("Memory deleted successfully!")])
        }
        router.get("\(p)/v1/memories/:id/history") { _, context in
            let key = try context.require(.read)
            let id = try memoryID(context)
            let entries = try await deps.manager.history(id: id, tenant: key.tenant)
            let owner = try? await deps.manager.memory(id: id, tenant: key.tenant).scope.userID
            return try JSONBody.response(.ok, entries.map { Mem0HistoryEntry(entry: $0, userID: owner) })
        }
        router.put("\(p)/v1/batch") { request, context in try await batch(request, context, update: true) }
        router.delete("\(p)/v1/batch") { request, context in try await batch(request, context, update: false) }
        router.get("\(p)/v1/event/:id") { _, context in try await event(context) }
        router.get("\(p)/v1/entities") { _, context in try await entities(context) }
        router.delete("\(p)/v2/entities/:type/:name") { _, context in try await deleteEntity(context) }
    }

    /// A memory id from the path; anything but a UUID is "not found", as for an unknown id.
    func memoryID(_ context: PikaRequestContext) throws -> String {
        guard let raw = context.parameters.get("id"), let id = Identifiers.uuid(raw) else {
            throw Problem(.notFound, "not_found", "memory not found")
        }
        return id
    }

    private func update(_ request: Request, _ context: PikaRequestContext) async throws -> Response {
        let key = try context.require(.write)
        let id = try memoryID(context)
        let fields = Fields(object: try await Mem0JSON.body(request))
        let text = try fields.string("text", maxLength: 10_000)
        let metadata = try fields.metadata("metadata")
        // `timestamp` and `expiration_date` are accepted: Pika keeps its own times and does not expire memories.
        let known = ["text", "metadata", "timestamp", "expiration_date"]
        guard known.contains(where: { fields.object.keys.contains($0) }) else {
            throw Problem.badRequest("missing_field", "one of text, metadata, timestamp or expiration_date is required")
        }
        let record =
            text == nil && metadata == nil
            ? try await deps.manager.memory(id: id, tenant: key.tenant)
            : try await deps.manager.update(id: id, tenant: key.tenant, text: text, metadata: metadata)
        var object = try Mem0JSON.object(Mem0Record(record: record))
        object["message"] = .string("Memory updated successfully!")
        return try Mem0JSON.response(object)
    }

    private func event(_ context: PikaRequestContext) async throws -> Response {
        let key = try context.require(.read)
        guard let raw = context.parameters.get("id"), let id = Identifiers.uuid(raw),
            let job = try await deps.jobs.job(id: id, tenant: key.tenant)
        else { throw Problem(.notFound, "not_found", "event not found") }
        let status: String
        switch job.status {
        case .queued: status = "PENDING"
        case .processing: status = "RUNNING"
        case .completed: status = "SUCCEEDED"
        case .failed: status = "FAILED"
        }
        return try Mem0JSON.response([
            "id": .string(job.id), "event_type": .string("ADD"), "status": .string(status),
            "results": .array(Mem0AddResults.list(job.result)),
            "created_at": .string(ISO8601Timestamp.string(from: job.createdAt)),
            "updated_at": .string(ISO8601Timestamp.string(from: job.updatedAt)),
        ])
    }
}
