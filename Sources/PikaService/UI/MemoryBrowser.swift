import Hummingbird

/// The memory browser: a page for people, served at `/ui` by `pika serve` (docs/api.md, "Memory browser").
///
/// Its HTML, CSS and JavaScript are Swift string constants (`UI/Assets/`), so they are compiled into the
/// binary: nothing to build, no files to install beside `pika`, nothing fetched from elsewhere.
enum MemoryBrowser {
    /// One file of the page.
    struct Asset: Sendable {
        /// Its `Content-Type`.
        let contentType: String
        /// Its bytes.
        let body: ByteBuffer
    }

    /// The page's files by path.
    static let assets: [String: Asset] = [
        "/ui": Asset(contentType: "text/html; charset=utf-8", body: ByteBuffer(string: MemoryBrowserPage.html)),
        "/ui/app.css": Asset(contentType: "text/css; charset=utf-8", body: ByteBuffer(string: MemoryBrowserStyle.css)),
        "/ui/app.js": Asset(contentType: "text/javascript; charset=utf-8", body: ByteBuffer(string: MemoryBrowserScript.source)),
    ]

    /// Whether `path` is one of the page's files: these are public, as the page must load before its
    /// user can type a key; every API call the page makes carries the key and is authenticated as usual.
    static func isAsset(_ path: String) -> Bool { assets[path] != nil }

    /// Only this origin's own script and style files run: no inline script or style, no other origin,
    /// no plugins, no `<base>`, no form submission, no framing. Memory text is also written with
    /// `textContent` only, so the policy is a second wall, not the first.
    static let contentSecurityPolicy = [
        "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
        "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// The response for `asset`, with the security headers every file of the page carries.
    static func response(_ asset: Asset) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = asset.contentType
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[.init("Referrer-Policy")!] = "no-referrer"
        headers[.init("X-Frame-Options")!] = "DENY"
        // A new binary may carry new files: revalidate rather than run a stale script against a new API.
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: asset.body))
    }
}
