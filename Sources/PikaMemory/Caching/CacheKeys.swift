import Foundation

/// The cache tiers' key names, as the seed spells them:
/// `user_version:{tenant}:{user_id}`, `search:{tenant}:{user_id}:{version}:{hash(query,params)}`,
/// `embedding:{model}:{hash(text)}`.
///
/// Tenant, user and model names may contain `:` (ids allow it), which would let two different
/// (tenant, user) pairs share a key; so `%` and `:` inside a component are percent-encoded. Hashes
/// are the first 128 bits of SHA-256, in hex.
public enum CacheKeys {
    /// The user's version tag key.
    public static func version(_ scope: MemoryScope) -> String {
        "user_version:\(component(scope.tenant)):\(component(scope.userID))"
    }

    /// The part of a user's result keys before the version.
    public static func searchPrefix(_ scope: MemoryScope) -> String {
        "search:\(component(scope.tenant)):\(component(scope.userID)):"
    }

    /// A result key.
    public static func search(_ scope: MemoryScope, version: String, queryHash: String) -> String {
        searchPrefix(scope) + version + ":" + queryHash
    }

    /// A query-embedding key.
    public static func embedding(model: String, text: String) -> String {
        "embedding:\(component(model)):\(hash(text))"
    }

    /// 128 bits of SHA-256 of `text`, hex.
    public static func hash(_ text: String) -> String {
        String(SHA256.hex(text).prefix(32))
    }

    /// `text` with `%` and `:` percent-encoded.
    static func component(_ text: String) -> String {
        guard text.contains(where: { $0 == ":" || $0 == "%" }) else { return text }
        return text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: ":", with: "%3A")
    }
}
