/// The arithmetic of the native encoder's linear layers.
///
/// `fp32` is the reference arithmetic. `int8` quantises weights per output channel and
/// activations per token to 8 bits (integer products summed exactly, then scaled back to fp32);
/// attention, layer norm and GELU stay fp32. Which one is the default, and the retrieval quality
/// each reaches, is recorded in docs/embeddings.md.
public enum EmbeddingPrecision: String, Sendable, CaseIterable {
    /// 32-bit floating point throughout.
    case fp32
    /// 8-bit integer linear layers.
    case int8

    /// The environment variable that selects the precision.
    public static let environmentKey = "PIKA_EMBEDDING_PRECISION"

    /// The precision used when ``environmentKey`` is unset or empty.
    public static let defaultPrecision = EmbeddingPrecision.fp32

    /// The precision `environment` selects: ``defaultPrecision`` when unset or empty.
    ///
    /// - Throws: ``EmbeddingError/Code/invalidArgument`` naming the variable and the value when the
    ///   value is neither `fp32` nor `int8`.
    public static func resolve(environment: [String: String]) throws(EmbeddingError) -> EmbeddingPrecision {
        guard let value = environment[environmentKey], !value.isEmpty else { return defaultPrecision }
        guard let precision = EmbeddingPrecision(rawValue: value) else {
            throw EmbeddingError(
                .invalidArgument,
                "\(environmentKey)=\(value) is not a known precision (expected one of: fp32, int8)")
        }
        return precision
    }
}
