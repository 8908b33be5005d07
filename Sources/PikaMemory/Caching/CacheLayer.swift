/// The search pipeline's cache tiers, as the `layer` label of the cache metrics.
public enum CacheLayer: String, Sendable, CaseIterable {
    /// In-process answers, short-lived and small.
    case l0
    /// Result cache (`search:{tenant}:{user_id}:{version}:{hash}`), Redis or in-process.
    case l1
    /// The user's favourites/preferences summary (``SummaryStore``).
    case l2
    /// Query embeddings (`embedding:{model}:{hash}`), Redis or in-process.
    case l3
}
