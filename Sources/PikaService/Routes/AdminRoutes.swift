import Foundation
import Hummingbird
import PikaMemory

/// `POST /v1/admin/keys` (admin only): a new key, shown once.
struct AdminRoutes {
    let deps: ServiceDependencies

    func register(on router: Router<PikaRequestContext>) {
        router.post("/v1/admin/keys") { request, context in
            let admin = try context.require(.admin)
            let fields = Fields(object: try await JSONBody.object(request))
            let tenant = try fields.string("tenant", required: true, maxLength: 64)!
            guard APIKeys.isValidTenant(tenant) else {
                throw Problem.badRequest("invalid_tenant", "tenant must be 1-64 of letters, digits, _-.:@")
            }
            let roleName = try fields.string("role", required: true, maxLength: 16)!
            guard let role = APIKeyRole(rawValue: roleName) else {
                throw Problem.badRequest("invalid_role", "role must be read, write or admin")
            }
            let (key, record) = try await APIKeys.create(tenant: tenant, role: role, in: deps.keys)
            try await deps.backends.audit.record(
                AuditEntry(
                    tenant: admin.tenant, actor: admin.id, action: AuditEntry.Action.keyCreated, target: record.id,
                    detail: ["tenant": .string(tenant), "role": .string(role.rawValue)], createdAt: .now))
            return try JSONBody.response(.created, ["key": key, "id": record.id, "tenant": tenant, "role": role.rawValue])
        }
    }
}
