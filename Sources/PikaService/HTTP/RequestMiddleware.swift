import Foundation
import Hummingbird
import Logging
import Metrics
import PikaEngine

/// Outermost middleware: request id, structured access log, errors as problem bodies, HTTP metrics
/// (`http_requests_total`, `http_request_duration_seconds`, `http_request_size_bytes`,
/// `http_response_size_bytes`, by method, route and status).
struct RequestMiddleware: RouterMiddleware {
    typealias Context = PikaRequestContext
    let factory: any MetricsFactory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let requestID = request.headers[.init("X-Request-Id")!].flatMap { $0.count <= 64 ? $0 : nil } ?? UUID().uuidString.lowercased()
        context.requestID = requestID
        context.logger[metadataKey: "request_id"] = "\(requestID)"
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && !context.allowedMethods.isEmpty {
            let allow = context.allowedMethods.joined(separator: ", ")
            var problem = Problem(
                .methodNotAllowed, "method_not_allowed", "\(request.method.rawValue) is not allowed here; this path allows \(allow)")
            problem.headers[.allow] = allow
            response = problem.makeResponse(requestID: requestID)
        } catch {
            let problem = Problem.from(error)
            if problem.status.code >= 500 {
                context.logger.error("request failed", metadata: ["error": "\(String(reflecting: error))"])
            }
            response = problem.makeResponse(requestID: requestID)
        }
        response.headers[.init("X-Request-Id")!] = requestID
        let elapsed = ContinuousClock.now - started
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        let status = String(response.status.code)
        Counter(label: "http_requests_total", dimensions: [("method", method), ("path", route), ("status", status)], factory: factory)
            .increment()
        Metrics.Timer(label: "http_request_duration_seconds", dimensions: [("method", method), ("path", route)], factory: factory)
            .record(duration: elapsed)
        let requestSize = request.headers[.contentLength].flatMap(Int.init) ?? 0
        Recorder(label: "http_request_size_bytes", dimensions: [("path", route)], factory: factory).record(requestSize)
        Recorder(label: "http_response_size_bytes", dimensions: [("path", route)], factory: factory)
            .record(response.body.contentLength ?? 0)
        context.logger.info(
            "request",
            metadata: [
                "method": "\(method)", "path": "\(request.uri.path)", "status": "\(status)",
                "ms": "\(elapsed.inMilliseconds)",
            ])
        return response
    }
}
