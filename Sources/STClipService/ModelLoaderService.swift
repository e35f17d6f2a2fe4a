import Dispatch
import Logging
import ServiceLifecycle

/// Loads the model off the event loops while the server already answers (`/readyz` is 503
/// meanwhile), marks the service ready, then fills in the class embeddings the served model
/// lacks. A model that fails to load ends the process with the reason.
struct ModelLoaderService: Service {
    let core: ServiceCore
    let load: @Sendable () throws -> any InferenceEngine

    func run() async throws {
        let logger = core.logger
        let engine: any InferenceEngine
        do {
            engine = try await withCheckedThrowingContinuation { continuation in
                DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try load() }) }
            }
        } catch {
            core.state.setFailed(String(describing: error))
            throw error
        }
        core.state.setReady(engine)
        core.metrics.recordModel(engine.info)
        logger.info("model loaded", metadata: ["model_id": .string(engine.info.id), "model_type": .string(engine.info.type)])
        do {
            let computed = try await cancelWhenGracefulShutdown { try await core.refreshEmbeddings(engine: engine) }
            logger.notice("class embeddings ready: \(computed) computed for the served model")
        } catch is CancellationError {
            return
        } catch {
            // Classification computes what is missing on demand, so the service stays up.
            logger.warning("could not precompute class embeddings: \(error)")
        }
        try? await gracefulShutdown()
    }
}
