import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The process's client for HTTP it sends out: the remote model providers (an OpenAI-compatible
/// `/v1/embeddings` for ``RemoteEmbedder``, `/v1/chat/completions` for PikaMemory's LLM extractor)
/// and the control channel of the local command-line tools to a running service. AsyncHTTPClient
/// on SwiftNIO, one connection pool per host, JSON POSTs bounded by a deadline to the millisecond,
/// and cancelled, connection and all, when their task is.
///
/// Ownership: whoever creates a client shuts it down after its last request (``shutdown()``).
/// `pika serve` creates one for its providers and shuts it down after its job workers have stopped.
/// ``shared`` lives as long as the process and is never shut down (the command-line tools, tests).
public final class OutboundHTTPClient: Sendable {
    /// The largest answer read; a longer one fails as a transport error (a 2,048-text batch of
    /// 3,072-dimensional embeddings is about 130 MB of JSON, far beyond what anyone configures).
    public static let maximumAnswerBytes = 256 << 20

    /// A client for the whole process, never shut down.
    public static let shared = OutboundHTTPClient(ownedByProcess: true)

    private let client: HTTPClient
    private let ownedByProcess: Bool

    /// Creates a client; its creator calls ``shutdown()`` after the last request.
    public convenience init() { self.init(ownedByProcess: false) }

    private init(ownedByProcess: Bool) {
        var configuration = HTTPClient.Configuration()
        // A provider answers a POST itself; a redirect would replay the texts somewhere else (as a GET).
        configuration.redirectConfiguration = .disallow
        // Each request's own deadline bounds a slow connect as well; this only caps it.
        configuration.timeout.connect = .seconds(10)
        // A refused connection fails the waiting requests at once, as a transport error their callers
        // retry with backoff and count against their breaker, instead of being retried here until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.ownedByProcess = ownedByProcess
    }

    /// Closes the pooled connections; requests afterwards fail as transport errors. Does nothing
    /// on ``shared``, which the process owns.
    public func shutdown() async throws {
        guard !ownedByProcess else { return }
        try await client.shutdown()
    }

    /// POSTs `body` as JSON (with `Authorization: Bearer` when `bearer` is given) and reads the whole
    /// answer, all within `timeout`.
    ///
    /// - Throws: ``ProviderHTTPError``: `.timedOut` when the deadline passed first, `.cancelled` when
    ///   the calling task was cancelled, `.transport` for everything else that kept an answer from
    ///   arriving (refused or dropped connection, an answer over ``maximumAnswerBytes``).
    public func postJSON(
        _ url: URL, body: Data, bearer: String?, timeout: Duration
    ) async throws(ProviderHTTPError)
        -> ProviderHTTPAnswer
    {
        var post = HTTPClientRequest(url: url.absoluteString)
        post.method = .POST
        post.headers.add(name: "Content-Type", value: "application/json")
        if let bearer { post.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        post.body = .bytes(ByteBuffer(bytes: body))
        let request = post
        let client = self.client
        // AsyncHTTPClient's deadline ends a request that has no answer head yet; the race below also
        // bounds reading the body, which its deadline does not cover.
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        do {
            return try await withThrowingTaskGroup(of: ProviderHTTPAnswer?.self) { group in
                group.addTask {
                    let response = try await client.execute(request, deadline: deadline)
                    let bytes = try await response.body.collect(upTo: Self.maximumAnswerBytes)
                    return ProviderHTTPAnswer(status: Int(response.status.code), body: Data(bytes.readableBytesView))
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let answer = first else { throw ProviderHTTPError.timedOut(timeout) }
                return answer
            }
        } catch let error as ProviderHTTPError {
            throw error
        } catch {
            if Task.isCancelled { throw .cancelled }
            if let failure = error as? HTTPClientError, failure == .deadlineExceeded { throw .timedOut(timeout) }
            throw .transport(String(describing: error))
        }
    }
}

/// A provider's answer: its status and whole body.
public struct ProviderHTTPAnswer: Sendable {
    /// The HTTP status code.
    public let status: Int
    /// The body.
    public let body: Data
}

/// Why a provider request got no answer.
public enum ProviderHTTPError: Error, Sendable, Equatable {
    /// The deadline passed before the whole answer arrived.
    case timedOut(Duration)
    /// The calling task was cancelled.
    case cancelled
    /// The connection failed, was refused or dropped, or the answer was too long; the reason.
    case transport(String)
}
