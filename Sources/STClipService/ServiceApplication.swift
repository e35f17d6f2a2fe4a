import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// The running service: the label store's connections, the model loader, the HTTP server and
/// the drain, in one service group that shuts down gracefully on SIGTERM and SIGINT.
///
/// Shutdown runs in reverse order of start: the drain (readiness 503, new requests refused,
/// in-flight ones finished within the grace period), then the server, the loader and the store.
public struct ServiceApplication: Sendable {
    public let core: ServiceCore
    let storeServices: [any Service]
    /// Loads the model; `nil` when the core's state already holds an engine.
    let loader: ModelLoaderService?

    /// The service group; `signals` trigger graceful shutdown (none in tests, which call
    /// `triggerGracefulShutdown()`). `onServerRunning` is told the listening channel.
    public func serviceGroup(signals: [UnixSignal] = [.sigterm, .sigint],
                             onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> ServiceGroup {
        let http = buildHTTPApplication(core: core) { channel in
            core.logger.notice("stclip listening on \(channel.localAddress?.description ?? "?")")
            await onServerRunning(channel)
        }
        let drain = DrainService(state: core.state, gracePeriod: core.configuration.shutdownGracePeriod, logger: core.logger)
        var configuration = ServiceGroupConfiguration(services: storeServices + (loader.map { [$0] } ?? []) + [http, drain],
                                                      gracefulShutdownSignals: signals, cancellationSignals: [], logger: core.logger)
        // Past the grace period (and a margin for closing connections), shutdown turns into cancellation.
        configuration.maximumGracefulShutdownDuration = .milliseconds(Int64((core.configuration.shutdownGracePeriod + 5) * 1000))
        return ServiceGroup(configuration: configuration)
    }

    /// Runs until SIGTERM or SIGINT has drained and stopped the service, or a service fails.
    public func run() async throws {
        try await serviceGroup().run()
    }
}
