import Foundation
import Hummingbird
import Logging
import NIOCore
import STClipRuntime
import STClipVideo
import ServiceLifecycle

/// The router: request ids, access log and metrics, problem+json errors around every route;
/// the draining check and API keys around `/v1`.
public func buildRouter(core: ServiceCore) -> Router<ServiceRequestContext> {
    let configuration = core.configuration
    let router = Router(context: ServiceRequestContext.self)
    router.add(middleware: RequestIDMiddleware(trustedProxies: configuration.trustedProxies.compactMap(IPAddressRange.init)))
    router.add(middleware: AccessLogMiddleware(metrics: core.metrics))
    router.add(middleware: ProblemMiddleware(routes: .service))

    func keys(_ list: [String]?) -> [String] { list ?? [] }
    let apiKeys = APIKeys([.inference: keys(configuration.inferenceKeys), .admin: keys(configuration.adminKeys),
                           .metrics: keys(configuration.metricsKeys)])
    HealthController(core: core).register(on: router, metricsKeys: apiKeys)

    let api = router.group("v1").add(middleware: DrainMiddleware(state: core.state))
    let inference = api.group().add(middleware: AuthMiddleware(keys: apiKeys, accepts: [.inference]))
    let read = api.group().add(middleware: AuthMiddleware(keys: apiKeys, accepts: [.inference, .admin]))
    let write = api.group().add(middleware: AuthMiddleware(keys: apiKeys, accepts: [.admin]))
    InferenceController(core: core).register(on: inference)
    LabelSetController(core: core).register(read: read, write: write)
    return router
}

/// The Hummingbird application over `core` (already holding or loading its engine), with
/// `services` run beside the server. In-process tests use this directly.
public func buildHTTPApplication(core: ServiceCore, services: [any Service] = [],
                                 onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in })
    -> some ApplicationProtocol {
    var app = Application(router: buildRouter(core: core),
                          server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionMonitor()], idleTimeout: .seconds(75))),
                          configuration: .init(address: .hostname(core.configuration.host, port: core.configuration.port),
                                               serverName: nil),
                          onServerRunning: onServerRunning, logger: core.logger)
    app.addServices(services)
    return app
}

/// The whole service from a validated configuration: opens the label store, starts loading the
/// model, and returns the application to run. Sets the process's BLAS thread count.
public func buildApplication(configuration: ServiceConfiguration, logger: Logger) async throws -> ServiceApplication {
    try configuration.validate()
    BLAS.threads = configuration.effectiveBLASThreads
    warnAboutOpenScopes(configuration, logger: logger)
    logLanguageModel(configuration, logger: logger)
    // A model's own label sets take the place of shipped ones of the same name.
    let modelDirectory = configuration.modelDirectory!
    var builtins = try ShippedLabelSets.load().merging(LabelSetDirectory.load(directory: configuration.effectiveBuiltinLabelSetsDirectory)) { $1 }
    let own = try ModelLabelSet.load(directory: modelDirectory)
    if let own { builtins[own.name] = own }
    let store = try await LabelStores.open(configuration.effectiveLabelsDatabase, logger: logger)
    let state = ServiceState()
    let catalog = LabelCatalog(store: store.store, builtins: builtins, defaultName: own?.name)
    let core = ServiceCore(configuration: configuration, state: state, catalog: catalog, logger: logger)
    let limits = VideoLimits(maxBytes: configuration.maxBodyBytes)
    let decoderThreads = configuration.decoderThreads
    let loader = ModelLoaderService(core: core) {
        try ModelEngine(directory: modelDirectory, limits: limits, decoderThreads: decoderThreads)
    }
    return ServiceApplication(core: core, storeServices: store.services, loader: loader)
}

private func warnAboutOpenScopes(_ configuration: ServiceConfiguration, logger: Logger) {
    if configuration.inferenceKeys?.isEmpty ?? true {
        logger.warning("STCLIP_INFERENCE_KEYS is not set: classification and embeddings need no API key")
    }
    if configuration.adminKeys?.isEmpty ?? true {
        logger.warning("STCLIP_ADMIN_KEYS is not set: anyone who reaches the port can change label sets")
    }
}

/// Says at start-up which language model describes new classes, if any.
private func logLanguageModel(_ configuration: ServiceConfiguration, logger: Logger) {
    if let llm = configuration.languageModel {
        // Without any credentials written into the URL.
        var endpoint = URLComponents(url: llm.baseURL, resolvingAgainstBaseURL: false)
        endpoint?.user = nil
        endpoint?.password = nil
        logger.info("labels registered without descriptions are described by \(llm.model) at \(endpoint?.string ?? "its endpoint")")
    } else {
        logger.info("STCLIP_LLM_BASE_URL is not set: labels registered without descriptions are embedded from their templates")
    }
}
