/// The arithmetic of the native encoder's linear layers.
///
/// `fp32` is the reference arithmetic. `int8` quantises weights per output channel and
/// activations per token to 8 bits (integer products summed exactly, then scaled back to fp32);
/// attention, layer norm and GELU stay fp32. Which one is the default, and the retrieval quality
/// each reaches, is recorded in docs/embeddings.md.
public enum EmbeddingPrecision: String, EncoderSetting {
    /// 32-bit floating point throughout.
    case fp32
    /// 8-bit integer linear layers.
    case int8

    /// The environment variable that selects the precision.
    public static let environmentKey = "PIKA_EMBEDDING_PRECISION"

    /// The precision used when ``environmentKey`` is unset or empty, for a model whose quality at
    /// int8 has not been measured (multilingual-e5-small): the reference arithmetic.
    public static let defaultPrecision = EmbeddingPrecision.fp32

    /// all-MiniLM-L6-v2's default: int8, which met issue 18's retrieval-quality rule (SciFact and
    /// LoCoMo turns, vector NDCG@10 against fp32; docs/embeddings.md).
    public static let miniLMDefault = EmbeddingPrecision.int8

    /// What an unknown value is said not to be.
    public static let noun = "precision"

    /// The precision `environment` selects: `fallback` when unset or empty.
    ///
    /// - Throws: ``EmbeddingError/Code/invalidArgument`` naming the variable and the value when the
    ///   value is neither `fp32` nor `int8`.
    public static func resolve(
        environment: [String: String], default fallback: EmbeddingPrecision = defaultPrecision
    ) throws(EmbeddingError) -> EmbeddingPrecision {
        try value(in: environment, default: fallback)
    }
}
