import Hummingbird
import PikaMemory

/// The request context of Pika's router: the authenticated key and the request id.
public struct PikaRequestContext: RequestContext {
    /// Hummingbird's storage.
    public var coreContext: CoreRequestContextStorage
    /// The caller's key, set by ``AuthMiddleware``.
    public var apiKey: APIKeyRecord?
    /// A request id for logs and problem bodies.
    public var requestID: String = ""
    /// The methods the request's path answers when its own method is not among them (set by
    /// ``PikaResponder``): the router's 404 then becomes a 405 with `Allow` (``RequestMiddleware``).
    public var allowedMethods: [String] = []

    /// Creates a context for a new request.
    public init(source: Source) {
        self.coreContext = .init(source: source)
    }

    /// 1 MiB.
    public var maxUploadSize: Int { 1 << 20 }

    /// The caller's tenant and role, requiring at least `role`.
    public func require(_ role: APIKeyRole) throws(Problem) -> APIKeyRecord {
        guard let key = apiKey else { throw Problem(.unauthorized, "unauthorized", "missing or invalid API key") }
        guard key.role.allows(role) else {
            throw Problem(.forbidden, "forbidden", "this key's role '\(key.role.rawValue)' cannot do this (needs \(role.rawValue))")
        }
        return key
    }
}
