import Foundation
import PikaEngine

/// An embedder that calls an OpenAI-compatible `POST /v1/embeddings` endpoint.
///
/// Each batch of texts is one request `{"model": …, "input": [...]}`; the answer's `data[i].embedding`
/// vectors are put back in `index` order and checked against the configured dimension. Timeouts,
/// connection failures, 429 and 5xx are retried with exponential backoff and jitter; other 4xx and
/// malformed bodies are not. A ``CircuitBreaker`` stops calling a service that keeps failing.
/// Requests go through a ``OutboundHTTPClient`` (pooled connections, millisecond deadlines).
///
/// Use it only when the operator configures it: it sends the texts to another machine.
public struct RemoteEmbedder: Embedder {
    /// The configured model name.
    public var name: String { configuration.model }
    /// The configured dimension.
    public var dimension: Int { configuration.dimension }
    /// The settings in use.
    public let configuration: RemoteEmbedderConfiguration
    /// The breaker guarding the endpoint (exposed for health checks).
    public let breaker: CircuitBreaker
    private let client: OutboundHTTPClient

    /// Creates an embedder for `configuration` whose requests go through `client` (the process-wide
    /// one unless given; its owner shuts it down, not the embedder).
    ///
    /// - Throws: ``EmbeddingError/Code/invalidArgument`` for a non-positive dimension, batch size or attempt count.
    public init(configuration: RemoteEmbedderConfiguration, client: OutboundHTTPClient = .shared) throws(EmbeddingError) {
        guard configuration.dimension > 0, configuration.batchSize > 0, configuration.maxAttempts > 0 else {
            throw EmbeddingError(
                .invalidArgument, "remote embedder dimension, batchSize and maxAttempts must be positive")
        }
        self.configuration = configuration
        self.breaker = CircuitBreaker(
            failureThreshold: configuration.failureThreshold, openDuration: configuration.openDuration)
        self.client = client
    }

    /// Embeds the texts, `batchSize` per request.
    public func embed(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        var vectors: [[Float]] = []
        vectors.reserveCapacity(texts.count)
        var start = 0
        while start < texts.count {
            let batch = Array(texts[start..<min(start + configuration.batchSize, texts.count)])
            vectors += try await embedBatch(batch)
            start += batch.count
        }
        return vectors
    }

    private func embedBatch(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        let service = configuration.endpoint.absoluteString
        try await breaker.acquire(service: service)
        var attempt = 1
        while true {
            do throws(EmbeddingError) {
                let vectors = try await request(texts)
                await breaker.record(success: true)
                return vectors
            } catch {
                let retryable = Self.isRetryable(error)
                if !retryable || attempt >= configuration.maxAttempts {
                    // A client error (bad key, bad request) says nothing about the service's health.
                    await breaker.record(success: !Self.countsAsOutage(error))
                    throw attempt > 1
                        ? EmbeddingError(
                            error.code, "\(error.message) (after \(attempt) attempts)", httpStatus: error.httpStatus)
                        : error
                }
            }
            do {
                try await Task.sleep(for: backoff(beforeRetry: attempt))
            } catch {
                await breaker.record(success: true)  // cancelled: not the service's fault
                throw EmbeddingError(.remoteTransport, "cancelled while waiting to retry \(service)")
            }
            attempt += 1
        }
    }

    /// Exponential backoff with equal jitter: half the delay fixed, half random.
    func backoff(beforeRetry attempt: Int) -> Duration {
        let exponential = configuration.initialBackoff * (1 << min(attempt - 1, 20))
        let capped = min(exponential, configuration.maxBackoff)
        return capped / 2 + capped / 2 * Double.random(in: 0...1)
    }

    private func request(_ texts: [String]) async throws(EmbeddingError) -> [[Float]] {
        let url = configuration.endpoint
        let body = (try? JSONEncoder().encode(EmbeddingsRequest(model: configuration.model, input: texts))) ?? Data()
        let answer: ProviderHTTPAnswer
        do {
            answer = try await client.postJSON(url, body: body, bearer: configuration.apiKey, timeout: configuration.requestTimeout)
        } catch {
            switch error {
            case .timedOut(let timeout): throw EmbeddingError(.remoteTimeout, "POST \(url) timed out after \(timeout)")
            case .cancelled: throw EmbeddingError(.remoteTransport, "POST \(url) cancelled")
            case .transport(let reason): throw EmbeddingError(.remoteTransport, "POST \(url) failed: \(reason)")
            }
        }
        let (status, data) = (answer.status, answer.body)
        guard status == 200 else {
            let excerpt = String(decoding: data.prefix(200), as: UTF8.self)
            throw EmbeddingError(.remoteStatus, "POST \(url) answered HTTP \(status): \(excerpt)", httpStatus: status)
        }
        guard let body = try? JSONDecoder().decode(EmbeddingsResponse.self, from: data) else {
            throw EmbeddingError(
                .remoteMalformedResponse, "POST \(url) answered 200 with a body that is not an embeddings response")
        }
        var vectors = [[Float]?](repeating: nil, count: texts.count)
        for (position, item) in body.data.enumerated() {
            let index = item.index ?? position
            guard vectors.indices.contains(index), vectors[index] == nil else {
                throw EmbeddingError(
                    .remoteMalformedResponse, "POST \(url) answered with a bad or repeated index \(index)")
            }
            guard item.embedding.count == configuration.dimension else {
                throw EmbeddingError(
                    .embedderMismatch,
                    "\(configuration.model) at \(url) returned \(item.embedding.count)-dimensional vectors, configured \(configuration.dimension)"
                )
            }
            vectors[index] = item.embedding
        }
        guard vectors.allSatisfy({ $0 != nil }) else {
            throw EmbeddingError(
                .remoteMalformedResponse, "POST \(url) returned \(body.data.count) vectors for \(texts.count) texts")
        }
        return vectors.map { $0! }
    }

    static func isRetryable(_ error: EmbeddingError) -> Bool {
        switch error.code {
        case .remoteTimeout, .remoteTransport: return true
        case .remoteStatus: return error.httpStatus.map { $0 == 408 || $0 == 429 || $0 >= 500 } ?? true
        default: return false
        }
    }

    static func countsAsOutage(_ error: EmbeddingError) -> Bool {
        isRetryable(error) || error.code == .remoteMalformedResponse
    }
}

private struct EmbeddingsRequest: Encodable {
    let model: String
    let input: [String]
}

private struct EmbeddingsResponse: Decodable {
    struct Item: Decodable {
        let embedding: [Float]
        let index: Int?
    }
    let data: [Item]
}
