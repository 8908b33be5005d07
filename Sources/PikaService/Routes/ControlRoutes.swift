import Foundation
import Hummingbird
import PikaDataStore
import PikaMemory
import PikaRelational
import Synchronization

/// Routes for local tools holding the data directory's control key (``ControlChannel``), not API
/// keys, so that `pika snapshot create`, `pika index compact|rebuild` and `pika import` work while the
/// service owns the directory: `POST /internal/v1/snapshot` `{"out": folder}` writes a
/// ``ServiceSnapshot``; `/internal/v1/compact` seals and compacts; `/internal/v1/rebuild`
/// `{"m", "ef_construction", "threads"}` rebuilds the sealed segments' graphs;
/// `/internal/v1/import?tenant=&user_id=[&embedder=]` takes `pika import`'s checked JSONL lines
/// (all or nothing, as the offline import). And for `pika worker`
/// processes: `/internal/v1/commit` consolidates and commits a prepared add (``RemoteWriteOwner``).
struct ControlRoutes {
    let deps: ServiceDependencies
    let channel: ControlChannel
    /// Jobs being committed now: a second delivery of one waits for the worker's retry (409).
    let committing = CommittingJobs()
    /// A prepared add carries a vector per fact and up to 200 long messages: far above an add's 8 MiB.
    static let maxCommitBytes = 256 << 20

    /// The store, once the request showed the control key.
    private func authorized(_ request: Request) throws -> SegmentMemoryStore {
        guard channel.accepts(AuthMiddleware.credential(request.headers[.authorization])) else {
            throw Problem(.forbidden, "forbidden", "missing or wrong control key")
        }
        guard let store = deps.memoryStore else {
            throw Problem(.conflict, "conflict", "this service keeps its memories in the shared SQLite file (PostgreSQL mode)")
        }
        return store
    }

    func register(on router: Router<PikaRequestContext>) {
        router.post("/internal/v1/compact") { request, _ in
            let store = try authorized(request)
            let before = store.directory.stats().segments.count
            try await store.seal()
            let dropped = try await store.compact()
            return try JSONBody.response(
                .ok,
                [
                    "segments_before": before, "segments_after": store.directory.stats().segments.count, "dropped": dropped ?? 0,
                    "records": store.liveCount,
                ])
        }
        router.post("/internal/v1/rebuild") { request, _ in
            let store = try authorized(request)
            let body = try await JSONBody.object(request)
            let m = body["m"]?.numberValue.map { Int($0) }
            let ef = body["ef_construction"]?.numberValue.map { Int($0) }
            let threads = min(max(body["threads"]?.numberValue.map { Int($0) } ?? 1, 1), 64)
            try await store.rebuildGraphs(m: m, efConstruction: ef, threads: threads)
            return try JSONBody.response(
                .ok,
                [
                    "rows": store.directory.stats().segments.reduce(0) { $0 + $1.rows }, "m": m ?? store.directory.configuration.m,
                    "ef_construction": ef ?? store.directory.configuration.efConstruction, "threads": threads,
                ])
        }
        router.post("/internal/v1/commit") { request, _ in
            guard channel.accepts(AuthMiddleware.credential(request.headers[.authorization])) else {
                throw Problem(.forbidden, "forbidden", "missing or wrong control key")
            }
            let buffer = try await JSONBody.buffer(request, upTo: Self.maxCommitBytes)
            let body: CommitRequest
            do {
                body = try JSONDecoder().decode(CommitRequest.self, from: Data(buffer: buffer))
            } catch {
                throw Problem.badRequest("malformed_json", "not a prepared add: \(error)")
            }
            let applied = SQLiteAppliedJobs(database: deps.database)
            if let job = body.job {
                if let stored = try await applied.result(of: job) { return try JSONBody.rawResponse(stored) }
                guard committing.begin(job) else { throw Problem(.conflict, "conflict", "job \(job) is being committed") }
            }
            defer { if let job = body.job { committing.end(job) } }
            let results = try await deps.manager.commit(body.prepared, scope: MemoryScope(tenant: body.tenant, userID: body.userID))
            let answer = try CanonicalJSON.text(of: CommitAnswer(results: results))
            if let job = body.job { try await applied.record(job, result: answer) }
            return try JSONBody.rawResponse(answer)
        }
        router.post("/internal/v1/import") { request, _ in
            _ = try authorized(request)
            let query = request.uri.queryParameters
            guard let tenant = query.get("tenant"), let user = query.get("user_id"), Identifiers.isValid(user), !tenant.isEmpty else {
                throw Problem.badRequest("invalid_argument", "tenant and user_id are required")
            }
            if let wanted = query.get("embedder"), wanted != deps.configuration.embedder.rawValue {
                throw Problem(
                    .conflict, "embedder_mismatch", "the service embeds with \(deps.configuration.embedder.rawValue), not \(wanted)")
            }
            let lines = try ImportLines.request(try await JSONBody.text(request, upTo: Self.maxCommitBytes))
            let outcome = try await deps.manager.importLines(lines, scope: MemoryScope(tenant: tenant, userID: user))
            return try JSONBody.response(.ok, ["imported": outcome.imported, "skipped": outcome.skipped])
        }
        router.post("/internal/v1/snapshot") { request, _ in
            let store = try authorized(request)
            guard let out = try await JSONBody.object(request)["out"]?.stringValue, out.hasPrefix("/") else {
                throw Problem.badRequest("invalid_argument", "out must be an absolute path")
            }
            let info = try await ServiceSnapshot.create(store: store, database: deps.database, at: out)
            return try JSONBody.response(
                .ok,
                [
                    "path": info.path, "memories": "\(info.memories)", "lsn": "\(info.lsn)", "bytes": "\(info.bytes)",
                ])
        }
    }
}

/// The job ids being committed at the moment.
final class CommittingJobs: Sendable {
    private let jobs = Mutex<Set<String>>([])

    /// False when `job` is already being committed.
    func begin(_ job: String) -> Bool { jobs.withLock { $0.insert(job).inserted } }

    /// `job` is done.
    func end(_ job: String) { _ = jobs.withLock { $0.remove(job) } }
}
