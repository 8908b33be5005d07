import Hummingbird
import PikaMemory

/// `GET /v1/jobs/{id}` and the customer's `GET /jobs/{id}`.
struct JobRoutes {
    let deps: ServiceDependencies

    func register(on router: Router<PikaRequestContext>) {
        for path in ["/v1/jobs/:id", "/jobs/:id"] {
            router.get(RouterPath(path)) { _, context in
                let key = try context.require(.read)
                guard let raw = context.parameters.get("id"), let id = Identifiers.uuid(raw) else {
                    throw Problem.badRequest("invalid_id", "job id must be a UUID")
                }
                guard let job = try await deps.jobs.job(id: id, tenant: key.tenant) else {
                    throw Problem(.notFound, "not_found", "job \(id) not found")
                }
                return try JSONBody.response(.ok, JobOut(job: job))
            }
        }
    }
}
