import Hummingbird
import Metrics
import PikaMemory

/// `/healthz` (alive), `/readyz` (databases answer, PostgreSQL too when configured, index loaded; its
/// `keyword_indexes` says whether the start-up keyword-index prebuild finished or stopped), `/metrics` (Prometheus text).
struct HealthRoutes {
    let deps: ServiceDependencies

    func register(on router: Router<PikaRequestContext>) {
        router.get("/healthz") { _, _ in try JSONBody.response(.ok, ["status": "ok"]) }
        router.get("/readyz") { _, _ in
            do {
                _ = try await deps.database.run { db in try db.queryOne("SELECT 1") }
            } catch {
                throw Problem(.serviceUnavailable, "not_ready", "database unavailable")
            }
            if let dependency = await deps.backends.unavailableDependency() {
                throw Problem(.serviceUnavailable, "not_ready", "\(dependency) unavailable")
            }
            if let failure = deps.memoryStore?.writeFailure {
                throw Problem(.serviceUnavailable, "storage_error", failure)
            }
            // Not a readiness condition: searches are correct while the prebuild runs (docs/architecture.md).
            let prebuild = deps.manager.keywordPrebuild.snapshot
            let keywordIndexes = prebuild.finished ? "ready" : prebuild.stopped ? "stopped" : "building"
            // Damaged files were set aside at open, or the disk is full: reads go on, so these are
            // reported, not a refusal.
            return try JSONBody.response(
                .ok,
                Readiness(
                    status: "ready", memories: deps.manager.memoryCount, keywordIndexes: keywordIndexes,
                    storageProblems: (deps.memoryStore?.problems ?? []) + [deps.memoryStore?.spaceProblem].compactMap { $0 }))
        }
        router.get("/metrics") { _, _ in
            if let counts = try? await deps.jobs.counts() {
                let done = Double(counts[.completed] ?? 0)
                let failed = Double(counts[.failed] ?? 0)
                Gauge(label: "job_success_rate", factory: deps.metricsFactory).record(done + failed > 0 ? done / (done + failed) : 1)
                for status in [JobStatus.queued, .processing, .completed, .failed] {
                    Gauge(label: "jobs", dimensions: [("status", status.rawValue)], factory: deps.metricsFactory)
                        .record(Double(counts[status] ?? 0))
                }
            }
            deps.search.recordSizes()
            if let store = deps.memoryStore {
                // Counts read under the store's lock; `stats()` would also stat every file and collect
                // every tenant of every segment on each scrape.
                Gauge(label: "memory_store_segments", factory: deps.metricsFactory).record(Double(store.directory.segmentOccupancy.count))
                Gauge(label: "memory_store_growing_records", factory: deps.metricsFactory).record(Double(store.directory.growingCount))
                Gauge(label: "memory_store_damaged_files", factory: deps.metricsFactory).record(Double(store.problems.count))
                Gauge(label: "memory_store_write_failed", factory: deps.metricsFactory).record(store.writeFailure == nil ? 0 : 1)
            }
            var buffer = [UInt8]()
            deps.registry.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}

/// The body of `/readyz`.
struct Readiness: Encodable {
    var status: String
    /// Live memories of every user.
    var memories: Int
    /// `ready`, `building` or `stopped` (the start-up keyword-index prebuild).
    var keywordIndexes: String
    /// Files of the memory store set aside or repaired at open, each naming its file, and a full file system.
    var storageProblems: [String]

    enum CodingKeys: String, CodingKey {
        case status, memories
        case keywordIndexes = "keyword_indexes"
        case storageProblems = "storage_problems"
    }
}
