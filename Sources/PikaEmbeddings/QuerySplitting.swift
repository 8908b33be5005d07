/// Whether the native encoders split a short input's products between two cores
/// (``EncoderTeam``), read from `PIKA_EMBEDDING_SPLIT`.
///
/// `on` (the default) lets a pass of at most ``EncoderTeam/maxRows`` token rows (a search, a short
/// memory) use a second thread where the process may run on two CPUs or more; the vectors are the
/// same bit for bit. `off` keeps every pass on its calling thread (one core per pass), e.g. to
/// measure one core or to leave the other core wholly to other work. docs/embeddings.md has the figures.
public enum QuerySplitting: String, EncoderSetting {
    /// Split short passes when a second CPU is available.
    case on
    /// Every pass on its calling thread.
    case off

    /// The environment variable that selects it.
    public static let environmentKey = "PIKA_EMBEDDING_SPLIT"

    /// `on` when ``environmentKey`` is unset or empty.
    public static let defaultValue = QuerySplitting.on

    /// What an unknown value is said not to be.
    public static let noun = "setting"

    /// The setting `environment` selects: ``defaultValue`` when unset or empty.
    ///
    /// - Throws: ``EmbeddingError/Code/invalidArgument`` naming the variable and the value when the
    ///   value is neither `on` nor `off`.
    public static func resolve(environment: [String: String]) throws(EmbeddingError) -> QuerySplitting {
        try value(in: environment, default: defaultValue)
    }
}
