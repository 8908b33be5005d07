import Foundation

/// Settings of a ``RemoteEmbedder``: where the OpenAI-compatible endpoint is and how patient to be.
public struct RemoteEmbedderConfiguration: Sendable, Equatable {
    /// The API base, e.g. `https://api.openai.com/v1`; requests go to `<baseURL>/embeddings`
    /// (or `<baseURL>/v1/embeddings` when the base does not end in `/v1`).
    public var baseURL: URL
    /// The model name sent with every request and recorded as the embedder's name.
    public var model: String
    /// The vector length the model returns; responses of another length are rejected.
    public var dimension: Int
    /// Sent as `Authorization: Bearer <apiKey>` when set.
    public var apiKey: String?
    /// How long one HTTP request may take.
    public var requestTimeout: Duration = .seconds(15)
    /// Attempts per batch, the first included; only timeouts, connection failures, 429 and 5xx are retried.
    public var maxAttempts = 3
    /// Delay before the first retry; doubled for each further retry, with jitter.
    public var initialBackoff: Duration = .milliseconds(250)
    /// Upper bound of a retry delay.
    public var maxBackoff: Duration = .seconds(8)
    /// Consecutive failed calls (after their retries) that open the circuit breaker.
    public var failureThreshold = 5
    /// How long the circuit breaker stays open.
    public var openDuration: Duration = .seconds(30)
    /// Texts per request; longer inputs are split into several requests.
    public var batchSize = 128

    /// Creates a configuration with default timeouts, retries and breaker settings.
    public init(baseURL: URL, model: String, dimension: Int, apiKey: String? = nil) {
        self.baseURL = baseURL
        self.model = model
        self.dimension = dimension
        self.apiKey = apiKey
    }

    /// Reads `PIKA_EMBEDDINGS_URL`, `PIKA_EMBEDDINGS_MODEL`, `PIKA_EMBEDDINGS_DIMENSION` and
    /// (optional) `PIKA_EMBEDDINGS_API_KEY`; throws ``EmbeddingError/Code/invalidArgument`` naming
    /// what is missing.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(EmbeddingError) -> RemoteEmbedderConfiguration {
        guard let url = environment["PIKA_EMBEDDINGS_URL"].flatMap(URL.init(string:)),
            let model = environment["PIKA_EMBEDDINGS_MODEL"],
            let dimension = environment["PIKA_EMBEDDINGS_DIMENSION"].flatMap({ Int($0) })
        else {
            throw EmbeddingError(
                .invalidArgument,
                "remote embedder needs PIKA_EMBEDDINGS_URL, PIKA_EMBEDDINGS_MODEL and PIKA_EMBEDDINGS_DIMENSION")
        }
        return RemoteEmbedderConfiguration(
            baseURL: url, model: model, dimension: dimension, apiKey: environment["PIKA_EMBEDDINGS_API_KEY"])
    }

    /// The full URL of the embeddings endpoint.
    public var endpoint: URL {
        baseURL.path.hasSuffix("/v1") || baseURL.path.hasSuffix("/v1/")
            ? baseURL.appendingPathComponent("embeddings")
            : baseURL.appendingPathComponent("v1").appendingPathComponent("embeddings")
    }
}
