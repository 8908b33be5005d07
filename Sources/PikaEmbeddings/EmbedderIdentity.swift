/// The name and dimension of the embedder that produced a collection's vectors.
///
/// A collection stores this when it is created; when it is opened again, call
/// ``requireCompatible(with:)`` so that a different model (or the same model at another
/// dimension) is refused with ``EmbeddingError/Code/embedderMismatch`` instead of returning
/// meaningless search results.
public struct EmbedderIdentity: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The embedder's ``Embedder/name``.
    public var name: String
    /// The embedder's ``Embedder/dimension``.
    public var dimension: Int

    /// Creates an identity.
    public init(name: String, dimension: Int) {
        self.name = name
        self.dimension = dimension
    }

    /// `"name/dimension"`, e.g. `"all-MiniLM-L6-v2/384"`.
    public var description: String { "\(name)/\(dimension)" }

    /// Throws ``EmbeddingError/Code/embedderMismatch`` unless `other` has the same name and dimension.
    ///
    /// - Parameter other: the identity of the embedder the caller wants to use now.
    public func requireCompatible(with other: EmbedderIdentity) throws(EmbeddingError) {
        guard self != other else { return }
        let what = dimension != other.dimension ? "dimension \(dimension) vs \(other.dimension)" : "model name"
        throw EmbeddingError(
            .embedderMismatch,
            "collection was built with embedder \(self) but is being opened with \(other) (\(what) differs); "
                + "use the original embedder or re-embed the collection")
    }
}
