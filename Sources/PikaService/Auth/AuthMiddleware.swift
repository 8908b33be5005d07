import Foundation
import Hummingbird
import PikaMemory

/// Authenticates every route but health, readiness, metrics and the OpenAPI document (`X-API-Key`, or
/// `Authorization: Bearer` or `Token`, the Mem0 SDKs' scheme),
/// by the key's SHA-256, then applies the per-key rate limit (429 with Retry-After). The memory browser's
/// files (`/ui…`) are public too: the page asks for the key, and sends it with each API call.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = PikaRequestContext
    let keys: any APIKeyStore
    let limiter: RateLimiter
    static let publicPaths: Set<String> = ["/healthz", "/readyz", "/metrics", "/openapi.yaml"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // `/internal/` routes check the data directory's control key themselves (ControlRoutes).
        if Self.publicPaths.contains(request.uri.path) || request.uri.path.hasPrefix("/internal/")
            || MemoryBrowser.isAsset(request.uri.path)
        {
            return try await next(request, context)
        }
        let presented = request.headers[.init("X-API-Key")!] ?? Self.credential(request.headers[.authorization])
        guard let presented, !presented.isEmpty, presented.count <= 256,
            let key = try await keys.key(hash: SHA256.hex(presented))
        else {
            var problem = Problem(.unauthorized, "unauthorized", "missing or invalid API key")
            problem.headers[.wwwAuthenticate] = "Bearer"
            throw problem
        }
        if let wait = limiter.take(key.hash) {
            var problem = Problem(.tooManyRequests, "rate_limited", "rate limit of \(Int(limiter.rate)) requests/s exceeded")
            problem.headers[.retryAfter] = String(Int(wait.rounded(.up)))
            throw problem
        }
        var context = context
        context.apiKey = key
        return try await next(request, context)
    }

    /// The credential of an `Authorization` header value in the `Bearer` or `Token` scheme (any
    /// case), nil for another scheme or none.
    static func credential(_ authorization: String?) -> String? {
        guard let authorization else { return nil }
        for scheme in ["bearer ", "token "] where authorization.lowercased().hasPrefix(scheme) {
            return String(authorization.dropFirst(scheme.count)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }
}
