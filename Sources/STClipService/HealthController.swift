import Hummingbird

/// `GET /healthz`, `/readyz`, `/metrics` and `/openapi.yaml`: outside `/v1`, answered on the
/// event loop without touching the worker pool.
struct HealthController {
    let core: ServiceCore

    struct Status: Encodable {
        var status: String
        var model: ModelDocument?
    }

    func register(on router: Router<ServiceRequestContext>, metricsKeys: APIKeys) {
        router.get("/healthz") { _, _ in try JSONResponse.make(Status(status: "ok")) }
        router.get("/readyz") { _, _ in try await readiness() }
        router.group().add(middleware: AuthMiddleware(keys: metricsKeys, accepts: [.metrics])).get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: core.metrics.render())))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
    }

    /// 200 once the model is loaded and the label store answers; 503 while loading, draining,
    /// or when the store cannot be reached.
    private func readiness() async throws -> Response {
        switch core.state.phase {
        case .loading: throw ServiceError.unavailable(.notReady, "the model is still loading", retryAfter: 5)
        case .failed: throw ServiceError.unavailable(.notReady, "the model failed to load", retryAfter: 30)
        case .draining: throw ServiceError.unavailable(.draining, "the service is shutting down", retryAfter: 5)
        case .ready: break
        }
        do { try await core.catalog.store.ping() } catch {
            core.logger.warning("readiness: label store unreachable: \(error)")
            throw ServiceError.unavailable(.storeUnavailable, "the label store cannot be reached", retryAfter: 5)
        }
        return try JSONResponse.make(Status(status: "ready", model: core.state.engine.map { ModelDocument($0.info) }))
    }
}
