import Foundation

/// Settings of the ``LLMExtractor``.
public struct LLMExtractorConfiguration: Sendable {
    /// Base URL, e.g. `http://localhost:11434/v1` (`/chat/completions` is appended).
    public var baseURL: URL
    /// Model name.
    public var model: String
    /// Bearer token, if the server wants one.
    public var apiKey: String?
    /// Time allowed for one request.
    public var requestTimeout: Duration = .seconds(20)
    /// Attempts per extraction (timeouts, transport errors, 429 and 5xx are retried).
    public var maxAttempts = 3
    /// Backoff before the second attempt, doubled each time.
    public var initialBackoff: Duration = .milliseconds(250)
    /// Consecutive failed extractions that open the breaker.
    public var failureThreshold = 5
    /// How long the breaker stays open.
    public var openDuration: Duration = .seconds(30)

    /// Creates a configuration.
    public init(baseURL: URL, model: String, apiKey: String? = nil) {
        self.baseURL = baseURL
        self.model = model
        self.apiKey = apiKey
    }

    /// `…/chat/completions` (adding `/v1` when the base URL lacks it).
    public var endpoint: URL {
        let path = baseURL.path
        let base = path.hasSuffix("/v1") || path.hasSuffix("/v1/") ? baseURL : baseURL.appendingPathComponent("v1")
        return base.appendingPathComponent("chat").appendingPathComponent("completions")
    }
}
