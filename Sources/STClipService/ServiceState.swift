import Synchronization

/// Where the service is in its life: loading the model, ready, or draining after SIGTERM; and
/// how many API requests are in flight (for the drain to wait on).
public final class ServiceState: Sendable {
    public enum Phase: Sendable, Equatable {
        case loading
        case ready
        /// The model could not be loaded; the process is about to exit.
        case failed(String)
        case draining
    }

    private let state = Mutex<(phase: Phase, engine: (any InferenceEngine)?, inFlight: Int)>((.loading, nil, 0))

    public init() {}

    /// A state that is ready with `engine` from the start (tests, and engines loaded up front).
    public convenience init(engine: any InferenceEngine) {
        self.init()
        setReady(engine)
    }

    public var phase: Phase { state.withLock { $0.phase } }

    /// The engine, once loaded (also while draining, for the requests still in flight).
    public var engine: (any InferenceEngine)? { state.withLock { $0.engine } }

    public var inFlight: Int { state.withLock { $0.inFlight } }

    public func setReady(_ engine: any InferenceEngine) {
        state.withLock {
            $0.engine = engine
            if $0.phase == .loading { $0.phase = .ready }
        }
    }

    public func setFailed(_ reason: String) {
        state.withLock { $0.phase = .failed(reason) }
    }

    public func beginDraining() {
        state.withLock { $0.phase = .draining }
    }

    /// Counts a request in, unless the service is draining (then it is refused: `false`).
    func enter() -> Bool {
        state.withLock {
            guard $0.phase != .draining else { return false }
            $0.inFlight += 1
            return true
        }
    }

    func leave() {
        state.withLock { $0.inFlight -= 1 }
    }
}
