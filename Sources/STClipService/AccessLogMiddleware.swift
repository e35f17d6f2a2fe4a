import Foundation
import Dispatch
import Hummingbird
import Logging

/// Records every request in the metrics (route template, method, status, duration) and logs
/// the API's requests; health and metrics probes are logged at debug level only.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let response = try await next(request, context)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let route = context.endpointPath ?? "unmatched"
        metrics.recordRequest(route: route, method: request.method.rawValue, status: Int(response.status.code), seconds: seconds)
        let level: Logger.Level = request.uri.path.hasPrefix("/v1/") ? .info : .debug
        context.logger.log(level: level, "\(request.method.rawValue) \(request.uri.path) \(response.status.code) \(String(format: "%.1f", seconds * 1e3)) ms")
        return response
    }
}
