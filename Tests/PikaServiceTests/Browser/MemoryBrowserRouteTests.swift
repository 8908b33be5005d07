import Foundation
import Hummingbird
import HummingbirdTesting
import PikaMemory
import Testing

/// The memory browser's files over HTTP: public, typed, under a strict policy, free of inline script
/// and style; and `GET /v1/me`, which the page signs in with.
@Suite("Memory browser files and /v1/me")
struct MemoryBrowserRouteTests {
    @Test func filesArePublicTypedAndUnderAStrictPolicy() async throws {
        try await ServiceHarness.run { client in
            let expected = ["/ui": "text/html", "/ui/app.css": "text/css", "/ui/app.js": "text/javascript"]
            for (path, type) in expected {
                let reply = try await client.call(.get, path, key: nil)
                #expect(reply.status == .ok, "\(path)")
                #expect(reply.headers[.contentType]?.hasPrefix(type + "; charset=utf-8") == true, "\(path)")
                #expect(reply.headers[.xContentTypeOptions] == "nosniff", "\(path)")
                let policy = try #require(reply.headers[.contentSecurityPolicy], "\(path)")
                for directive in [
                    "default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'", "frame-ancestors 'none'",
                ] {
                    #expect(policy.contains(directive), "\(path): \(policy)")
                }
                #expect(!policy.contains("unsafe"), "\(path): \(policy)")
                #expect(!reply.text.contains("http://") || path == "/ui/app.js", "\(path) names another origin")
            }
            let html = try await client.call(.get, "/ui", key: nil).text
            // Every script is a file of this origin; no inline script, handler attribute or style attribute.
            #expect(html.components(separatedBy: "<script").count == 2)
            #expect(html.contains(#"<script src="/ui/app.js" defer></script>"#))
            #expect(html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil)
            #expect(!html.contains("style=") && !html.contains("<style"))
            let script = try await client.call(.get, "/ui/app.js", key: nil).text
            // The script never parses HTML: no innerHTML, outerHTML, insertAdjacentHTML, document.write or eval.
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
                #expect(!script.contains(sink), "app.js uses \(sink)")
            }
            // Only the page's files are public.
            #expect(try await client.call(.get, "/ui/other.js", key: nil).status == .unauthorized)
        }
    }

    @Test func meNamesTheKeysTenantAndRole() async throws {
        try await ServiceHarness.run { client in
            let admin = try await client.call(.get, "/v1/me")
            #expect(admin.status == .ok)
            #expect(admin["tenant"] == .string("default"))
            #expect(admin["role"] == .string("admin"))
            let created = try await client.call(.post, "/v1/admin/keys", json: #"{"tenant":"acme","role":"read"}"#)
            let key = try #require(created["key"]?.stringValue)
            let reader = try await client.call(.get, "/v1/me", key: key)
            #expect(reader["tenant"] == .string("acme"))
            #expect(reader["role"] == .string("read"))
            #expect(reader["key_id"] == created["id"])
            #expect(try await client.call(.get, "/v1/me", key: nil).status == .unauthorized)
        }
    }
}
