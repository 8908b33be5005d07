import Hummingbird
import PikaMemory

/// `GET /ui`, `/ui/app.css`, `/ui/app.js` (the memory browser's files, public) and `GET /v1/me` (the
/// calling key's tenant and role, which the page reads to sign in and to decide whether to offer edits).
struct MemoryBrowserRoutes {
    func register(on router: Router<PikaRequestContext>) {
        for (path, asset) in MemoryBrowser.assets {
            router.get(RouterPath(path)) { _, _ in MemoryBrowser.response(asset) }
        }
        router.get("/v1/me") { _, context in
            let key = try context.require(.read)
            return try JSONBody.response(.ok, ["key_id": key.id, "tenant": key.tenant, "role": key.role.rawValue])
        }
    }
}
