import Dispatch
import Synchronization

/// What a job on the worker pool can ask about the request it serves: how long it has left and
/// whether anyone still waits for it. Long jobs call `checkpoint()` between stages (after
/// decoding, before the model) so that work nobody will read is dropped.
public final class WorkTicket: Sendable {
    /// `DispatchTime.now().uptimeNanoseconds` by which the answer is due.
    public let deadline: UInt64
    private let clientGone: @Sendable () -> Bool
    private let abandoned = Atomic<Bool>(false)

    public init(deadline: UInt64, clientGone: @escaping @Sendable () -> Bool = { false }) {
        self.deadline = deadline
        self.clientGone = clientGone
    }

    /// A ticket due `seconds` from now.
    public convenience init(seconds: Double, clientGone: @escaping @Sendable () -> Bool = { false }) {
        let nanos = UInt64(max(0, min(seconds, 1e7)) * 1e9)
        self.init(deadline: DispatchTime.now().uptimeNanoseconds + nanos, clientGone: clientGone)
    }

    /// Seconds until the deadline (0 once past).
    public var remainingSeconds: Double {
        let now = DispatchTime.now().uptimeNanoseconds
        return now >= deadline ? 0 : Double(deadline - now) / 1e9
    }

    /// Marks the work as unwanted: its request was cancelled or has already been answered.
    func abandon() { abandoned.store(true, ordering: .relaxed) }

    /// Why the work should stop now, if it should.
    var stopReason: WorkerPoolError? {
        if abandoned.load(ordering: .relaxed) { return .abandoned }
        if clientGone() { return .clientGone }
        if DispatchTime.now().uptimeNanoseconds >= deadline { return .deadlineExceeded }
        return nil
    }

    /// Throws when the work should stop: abandoned, the client gone, or past the deadline.
    public func checkpoint() throws(WorkerPoolError) {
        if let reason = stopReason { throw reason }
    }
}
