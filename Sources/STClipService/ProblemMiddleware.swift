import Hummingbird
import Logging

/// Turns every error thrown below it into an RFC 9457 `application/problem+json` response, and
/// a route-less 404 into 405 with `Allow` when the path exists for other methods. Errors that
/// are the server's fault are logged with the request id; the client gets no internals.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let routes: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            if let gone = error as? WorkerPoolError, gone == .clientGone || gone == .abandoned {
                // Nobody reads this answer; the status is for the access log and the metrics.
                context.logger.info("dropped: \(gone)")
                return Response(status: .init(code: 499, reasonPhrase: "Client Closed Request"))
            }
            var (problem, serverFault) = ErrorMapping.problem(for: error)
            if let routing = error as? HTTPError, routing.status == .notFound {
                let allowed = routes.methods(for: request.uri.path)
                if !allowed.isEmpty {
                    problem = ServiceError(.methodNotAllowed, "\(request.method.rawValue) is not allowed here; use \(allowed.joined(separator: ", "))")
                    problem.headers[.allow] = allowed.joined(separator: ", ")
                }
            }
            if serverFault {
                context.logger.error("request failed: \(error)")
            } else {
                context.logger.debug("request refused: \(problem)")
            }
            return ProblemDetails(problem, instance: request.uri.path, requestID: context.requestID).response(headers: problem.headers)
        }
    }
}
