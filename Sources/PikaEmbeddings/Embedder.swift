/// Something that turns texts into fixed-size vectors.
///
/// Every embedder has a ``name`` and a ``dimension``; a collection records both as an
/// ``EmbedderIdentity`` when it is created and refuses to open with a different one, so vectors
/// from two models are never mixed silently.
///
/// Implementations: ``MiniLMEmbedder`` (native all-MiniLM-L6-v2), ``HashingEmbedder`` (no model,
/// deterministic) and ``RemoteEmbedder`` (any OpenAI-compatible `/v1/embeddings` endpoint).
public protocol Embedder: Sendable {
    /// A stable name for the model, e.g. `"all-MiniLM-L6-v2"`; part of a collection's identity.
    var name: String { get }
    /// The length of every vector this embedder returns.
    var dimension: Int { get }
    /// Embeds each text; the result has one vector of ``dimension`` floats per input, in order.
    func embed(_ texts: [String]) async throws(EmbeddingError) -> [[Float]]
    /// Embeds search queries. Models trained with distinct query and document forms (e5's
    /// `query: ` / `passage: ` prefixes, where ``embed(_:)`` is the document form) implement it;
    /// for the others a query is embedded like any text (the default).
    func embedQueries(_ texts: [String]) async throws(EmbeddingError) -> [[Float]]
}

extension Embedder {
    /// The name and dimension a collection records for this embedder.
    public var identity: EmbedderIdentity { EmbedderIdentity(name: name, dimension: dimension) }

    /// Embeds search queries like any other text.
    public func embedQueries(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        try await embed(texts)
    }

    /// Embeds one search query.
    public func embedQuery(_ text: String) async throws(EmbeddingError) -> [Float] {
        let vectors = try await embedQueries([text])
        return vectors[0]
    }

    /// Embeds one text.
    public func embed(_ text: String) async throws(EmbeddingError) -> [Float] {
        let vectors = try await embed([text])
        return vectors[0]
    }
}
