import Foundation
import Hummingbird
import PikaMemory

/// An RFC 9457 problem: an error that knows its HTTP status and stable `code`.
public struct Problem: Error, HTTPResponseError, Sendable {
    /// HTTP status.
    public let status: HTTPResponse.Status
    /// Stable machine-readable code, e.g. `invalid_argument`.
    public let code: String
    /// Human explanation.
    public let detail: String
    /// Extra response headers (Retry-After).
    public var headers: HTTPFields = [:]

    /// Creates a problem.
    public init(_ status: HTTPResponse.Status, _ code: String, _ detail: String) {
        self.status = status
        self.code = code
        self.detail = detail
    }

    /// 400 with `code`.
    public static func badRequest(_ code: String, _ detail: String) -> Problem { Problem(.badRequest, code, detail) }

    /// The problem+json response.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        makeResponse(requestID: nil)
    }

    /// The problem+json response carrying `requestID`.
    public func makeResponse(requestID: String?) -> Response {
        var object: [String: JSONValue] = [
            "type": .string("https://pika.dev/problems/\(code)"),
            "title": .string(status.reasonPhrase),
            "status": .number(Double(status.code)),
            "code": .string(code),
            "detail": .string(detail),
        ]
        if let requestID { object["request_id"] = .string(requestID) }
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: JSONValue.encodeObject(object))))
    }

    /// Maps any error to a problem (unknown errors become an opaque 500).
    public static func from(_ error: any Error) -> Problem {
        switch error {
        case let problem as Problem: return problem
        case let error as MemoryError:
            let status: HTTPResponse.Status
            switch error.code {
            case .invalidArgument, .invalidFilter: status = .badRequest
            case .notFound: status = .notFound
            case .conflict: status = .conflict
            // A storage error is the server's disk or files, not the request: retry later (docs/operations.md).
            case .unavailable, .embeddingFailed, .extractionFailed, .storage: status = .serviceUnavailable
            default: status = .internalServerError
            }
            return Problem(status, error.code.rawValue, error.message)
        case let error as HTTPError:
            switch error.status {
            case .contentTooLarge: return Problem(.contentTooLarge, "body_too_large", "request body exceeds 1 MiB")
            case .notFound: return Problem(.notFound, "route_not_found", "no such route")
            case .methodNotAllowed: return Problem(.methodNotAllowed, "method_not_allowed", "method not allowed on this route")
            default: return Problem(error.status, "http_error", error.body ?? error.status.reasonPhrase)
            }
        default:
            return Problem(.internalServerError, "internal_error", "internal error")
        }
    }
}

extension Problem {
    /// The answer to a synchronous add whose job did not complete: a job its input failed for good
    /// (MemoryError invalid_argument; the job stays failed) is the request's fault, so a 400 saying
    /// why; anything else is ours and may pass (503; the job is retried).
    static func unfinishedJob(_ job: JobRecord?) -> Problem {
        if let job, job.status == .failed, let error = job.error, error.hasPrefix(MemoryError.Code.invalidArgument.rawValue + ":") {
            return .badRequest(MemoryError.Code.invalidArgument.rawValue, error)
        }
        return Problem(.serviceUnavailable, "job_failed", job?.error ?? "the memories could not be added now; the job will be retried")
    }
}
