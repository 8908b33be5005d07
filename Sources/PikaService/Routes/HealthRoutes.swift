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
            // Not a readiness condition: searches are correct while the prebuild runs (docs/architecture.md).
            let prebuild = deps.manager.keywordPrebuild.snapshot
            let keywordIndexes = prebuild.finished ? "ready" : prebuild.stopped ? "stopped" : "building"
            return try JSONBody.response(.ok, [
                "status": "ready", "memories": "\(deps.manager.index.info.liveCount)", "keyword_indexes": keywordIndexes,
            ])
        }
        router.get("/metrics") { _, _ in
            if let counts = try? await deps.jobs.counts() {
                let done = Double(counts[.completed] ?? 0), failed = Double(counts[.failed] ?? 0)
                Gauge(label: "job_success_rate", factory: deps.metricsFactory).record(done + failed > 0 ? done / (done + failed) : 1)
                for status in [JobStatus.queued, .processing, .completed, .failed] {
                    Gauge(label: "jobs", dimensions: [("status", status.rawValue)], factory: deps.metricsFactory)
                        .record(Double(counts[status] ?? 0))
                }
            }
            deps.search.recordSizes()
            var buffer = [UInt8]()
            deps.registry.emit(into: &buffer)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                            body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}
