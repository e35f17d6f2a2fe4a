import Dispatch
import Logging
import ServiceLifecycle

/// The first service to hear SIGTERM (it is started last): turns `/readyz` to 503 and refuses
/// new API requests, then waits until the requests in flight have finished, or the grace
/// period is over, before the HTTP server is shut down behind it.
struct DrainService: Service {
    let state: ServiceState
    let gracePeriod: Double
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        state.beginDraining()
        logger.notice("draining: \(state.inFlight) requests in flight, grace period \(gracePeriod) s")
        let end = DispatchTime.now().uptimeNanoseconds + UInt64(gracePeriod * 1e9)
        while state.inFlight > 0 && DispatchTime.now().uptimeNanoseconds < end {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if state.inFlight > 0 {
            logger.warning("grace period over with \(state.inFlight) requests still in flight")
        } else {
            logger.notice("drained")
        }
    }
}
