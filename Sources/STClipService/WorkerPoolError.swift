/// Why the worker pool did not (or did not finish to) run a job.
public enum WorkerPoolError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Every worker is busy and the queue holds `queueDepth` jobs; retry after about `retryAfter` s.
    case queueFull(retryAfter: Int)
    /// The request's deadline passed while the job waited or ran.
    case deadlineExceeded
    /// The client closed its connection, so the job was dropped.
    case clientGone
    /// The awaiting task was cancelled or already answered.
    case abandoned

    public var description: String {
        switch self {
        case let .queueFull(retryAfter): return "inference queue is full; retry in about \(retryAfter) s"
        case .deadlineExceeded: return "request deadline exceeded"
        case .clientGone: return "client closed the connection"
        case .abandoned: return "request abandoned"
        }
    }
}
