import Hummingbird

/// Counts API requests in flight for the SIGTERM drain, and refuses new ones with 503 (and
/// `Connection: close`) once draining has begun.
struct DrainMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let state: ServiceState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard state.enter() else {
            var error = ServiceError.unavailable(.draining, "the service is shutting down; send the request to another replica", retryAfter: 5)
            error.headers[.connection] = "close"
            throw error
        }
        defer { state.leave() }
        return try await next(request, context)
    }
}
