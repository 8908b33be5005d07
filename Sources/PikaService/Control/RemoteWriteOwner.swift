import Foundation
import PikaMemory

/// A `pika worker` process's ``WriteOwner``: posts each prepared add to the `pika serve` that owns
/// the data directory (`POST /internal/v1/commit`, authenticated by the directory's control key).
///
/// The channel is read from the data directory at every call, so a restarted server (new port or
/// key) is found again. When the owner cannot be reached the add fails as `unavailable`, and the
/// job is retried with backoff (nothing was committed, or the owner kept the job's result).
public struct RemoteWriteOwner: WriteOwner {
    /// The shared data directory.
    public let dataDirectory: String
    /// How long one commit may take at the owner.
    public var timeout: Duration = .seconds(300)

    /// Creates the owner proxy for `dataDirectory`.
    public init(dataDirectory: String) {
        self.dataDirectory = dataDirectory
    }

    /// See ``WriteOwner/commit(_:scope:job:)``.
    public func commit(_ prepared: PreparedAdd, scope: MemoryScope, job: String?) async throws -> [AddResult] {
        guard let channel = ControlChannel.read(in: dataDirectory) else {
            throw MemoryError(.unavailable, "no pika serve owns \(dataDirectory) (no \(ControlChannel.fileName)); start it first")
        }
        let body = try JSONEncoder().encode(CommitRequest(tenant: scope.tenant, userID: scope.userID, job: job, prepared: prepared))
        let answer: Data
        do throws(ControlChannel.RequestError) {
            answer = try await channel.post("/internal/v1/commit", body: body, timeout: timeout)
        } catch {
            switch error {
            case .unreachable(let reason):
                throw MemoryError(.unavailable, "the owning pika serve at \(channel.url) did not answer: \(reason)")
            case .timedOut(let limit):
                throw MemoryError(.unavailable, "the owning pika serve at \(channel.url) did not answer within \(limit)")
            case .cancelled:
                throw CancellationError()
            case .refused(let status, let code, let detail):
                // A 5xx is the owner's trouble (its disk, a restart): the job retries. A 4xx is this
                // request's: its code (invalid_argument fails the job for good).
                let failure: MemoryError.Code = status >= 500 ? .unavailable : code.map(MemoryError.Code.init(rawValue:)) ?? .internal
                throw MemoryError(failure, "the owning pika serve refused the commit (\(status)): \(detail)")
            }
        }
        return try JSONDecoder().decode(CommitAnswer.self, from: answer).results
    }
}

/// The body of `POST /internal/v1/commit`.
struct CommitRequest: Codable {
    var tenant: String
    var userID: String
    var job: String?
    var prepared: PreparedAdd

    enum CodingKeys: String, CodingKey {
        case tenant
        case userID = "user_id"
        case job, prepared
    }
}

/// Its answer.
struct CommitAnswer: Codable {
    var results: [AddResult]
}
