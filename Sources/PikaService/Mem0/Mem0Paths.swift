import Foundation
import Hummingbird

/// Where a request goes: the Mem0 SDKs end every path in `/`, Pika's own routes never do, and the
/// router ignores a trailing slash, so such requests are moved under ``Mem0Routes/prefix``.
enum Mem0Paths {
    /// The request to route: `request` itself, or for a Mem0 path the same under the prefix (and
    /// true). A path that names the prefix itself is sent nowhere (404).
    static func route(_ request: Request) -> (request: Request, isMem0: Bool) {
        let path = request.uri.path
        var head = request.head
        if path.hasPrefix(Mem0Routes.prefix) {
            head.path = "/_unrouted" + (head.path ?? "")
            return (Request(head: head, body: request.body), false)
        }
        guard path.count > 1, path.hasSuffix("/") else { return (request, false) }
        head.path = Mem0Routes.prefix + (head.path ?? "")
        return (Request(head: head, body: request.body), true)
    }

    /// A path as clients see it: `/_mem0/v1/ping` → `/v1/ping/` (others unchanged).
    static func publicPath(_ path: String) -> String {
        guard path.hasPrefix(Mem0Routes.prefix + "/") else { return path }
        let rest = path.dropFirst(Mem0Routes.prefix.count)
        return rest.hasSuffix("/") ? String(rest) : rest + "/"
    }
}

/// The service's responder: the router, reached through ``Mem0Paths``. Errors of Mem0 routes are
/// sent as `application/json` (the Mem0 SDK reads `detail` only from that type). A path that exists
/// without the request's method is marked in the context, so the router's 404 becomes a 405.
public struct PikaResponder: HTTPResponder {
    /// The request context.
    public typealias Context = PikaRequestContext
    let router: RouterResponder<PikaRequestContext>
    let methods: RouteMethods

    /// Routes `request`.
    public func respond(to request: Request, context: Context) async throws -> Response {
        let (routed, isMem0) = Mem0Paths.route(request)
        var context = context
        let allowed = methods.allowed(for: routed.uri.path)
        if !allowed.contains(routed.method.rawValue) { context.allowedMethods = allowed }
        var response = try await router.respond(to: routed, context: context)
        if isMem0, response.headers[.contentType] == "application/problem+json" {
            response.headers[.contentType] = "application/json"
        }
        return response
    }
}
