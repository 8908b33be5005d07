import Foundation
import PikaEmbeddings
import PikaMemory

extension ControlChannel {
    /// Why a control request brought no answer to use.
    public enum RequestError: Error, Sendable, Equatable {
        /// Nothing answered at the channel's address (no service listens there now, or the
        /// connection dropped); the reason.
        case unreachable(String)
        /// The service did not answer within the time allowed.
        case timedOut(Duration)
        /// The calling task was cancelled.
        case cancelled
        /// The service answered with another status than 200: it, and the problem body's `code`
        /// and `detail` (the body itself when it is not a problem).
        case refused(status: Int, code: String?, detail: String)
    }

    /// POSTs `body` (JSON or JSONL) to `path` (`/internal/v1/…`) of the service, presenting the
    /// channel's key as a bearer token, and returns the body of its 200 answer.
    ///
    /// The request goes through the process's ``ProviderHTTPClient`` (AsyncHTTPClient): the same
    /// pooled connections and millisecond deadline as the model providers' requests.
    public func post(
        _ path: String, body: Data, timeout: Duration, client: ProviderHTTPClient = .shared
    ) async throws(RequestError) -> Data {
        guard let target = URL(string: url + path) else { throw .unreachable("\(url + path) is not a URL") }
        let answer: ProviderHTTPAnswer
        do throws(ProviderHTTPError) {
            answer = try await client.postJSON(target, body: body, bearer: key, timeout: timeout)
        } catch {
            switch error {
            case .timedOut(let limit): throw .timedOut(limit)
            case .cancelled: throw .cancelled
            case .transport(let reason): throw .unreachable(reason)
            }
        }
        guard answer.status == 200 else {
            let problem = (try? JSONReader.parse(answer.body))?.objectValue ?? [:]
            let detail = problem["detail"]?.stringValue ?? String(decoding: answer.body.prefix(500), as: UTF8.self)
            throw .refused(status: answer.status, code: problem["code"]?.stringValue, detail: detail)
        }
        return answer.body
    }
}
