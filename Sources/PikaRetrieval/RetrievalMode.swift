/// Which signals a search uses.
public enum RetrievalMode: String, Sendable, Hashable, CaseIterable {
    /// Dense vectors only (the engine).
    case vector
    /// BM25 keywords only.
    case keyword
    /// Both, fused (``FusionMethod``).
    case hybrid
}
