import DequeModule
import Dispatch
import Synchronization

/// A bounded pool for blocking work (video decoding, the model), so that it never runs on the
/// NIO event loops or the Swift concurrency pool.
///
/// `workers` serial Dispatch queues each run one job at a time; up to `queueDepth` more jobs wait
/// in FIFO order; past that `submit` fails at once with `.queueFull` (the service answers 503
/// with `Retry-After`). A waiting job is dropped without running when its task is cancelled, its
/// client disconnects or its deadline passes; a running job is answered with `.deadlineExceeded`
/// at its deadline and told through its ticket to stop at its next checkpoint.
public final class WorkerPool: Sendable {
    public let workers: Int
    public let queueDepth: Int
    private let queues: [DispatchQueue]
    private let state: Mutex<State>
    private let observer: @Sendable (_ busy: Int, _ queued: Int) -> Void

    private struct State {
        var pending = Deque<Job>()
        var freeWorkers: [Int]
        /// Exponential moving average of a job's running time, for `Retry-After`.
        var averageJobSeconds = 1.0
    }

    /// The work of one request: its ticket, and how to run or fail it (each resumes the awaiting
    /// continuation at most once).
    private final class Job: Sendable {
        let ticket: WorkTicket
        let enqueued = DispatchTime.now().uptimeNanoseconds
        let resumed = Atomic<Bool>(false)
        let execute: @Sendable (Job) -> Void
        let fail: @Sendable (any Error) -> Void

        init(ticket: WorkTicket, execute: @escaping @Sendable (Job) -> Void, fail: @escaping @Sendable (any Error) -> Void) {
            self.ticket = ticket
            self.execute = execute
            self.fail = fail
        }

        /// True for the one caller that may resume the continuation.
        func claim() -> Bool { !resumed.exchange(true, ordering: .acquiringAndReleasing) }
    }

    /// - Parameter observer: told the busy and queued counts after every change (for gauges).
    public init(workers: Int, queueDepth: Int, label: String = "stclip.worker",
                observer: @escaping @Sendable (_ busy: Int, _ queued: Int) -> Void = { _, _ in }) {
        precondition(workers >= 1 && queueDepth >= 0)
        self.workers = workers
        self.queueDepth = queueDepth
        queues = (0..<workers).map { DispatchQueue(label: "\(label).\($0)", qos: .userInitiated) }
        state = Mutex(State(freeWorkers: Array((0..<workers).reversed())))
        self.observer = observer
    }

    /// Jobs running and jobs waiting, now.
    public var load: (busy: Int, queued: Int) {
        state.withLock { (workers - $0.freeWorkers.count, $0.pending.count) }
    }

    /// Throws `.queueFull` when a job submitted now would be refused, so that a request can be
    /// turned away before its body is read. `submit` decides for certain.
    public func checkAdmission() throws(WorkerPoolError) {
        let refusal: WorkerPoolError? = state.withLock { s in
            guard s.freeWorkers.isEmpty, s.pending.count >= queueDepth else { return nil }
            return .queueFull(retryAfter: Self.retryAfter(s, workers: workers))
        }
        if let refusal { throw refusal }
    }

    /// Seconds until the backlog ahead of a new job has likely cleared.
    private static func retryAfter(_ s: State, workers: Int) -> Int {
        let backlog = Double(s.pending.count + workers) / Double(workers)
        return max(1, Int((s.averageJobSeconds * backlog).rounded(.up)))
    }

    /// Runs `body` on a worker and returns its value with the time it waited for one.
    ///
    /// Throws `WorkerPoolError.queueFull` at once when every worker is busy and the queue is
    /// full; `.deadlineExceeded`, `.clientGone` or `.abandoned` when the job was dropped;
    /// otherwise whatever `body` throws.
    public func submit<T: Sendable>(_ ticket: WorkTicket,
                                    _ body: @escaping @Sendable (WorkTicket) throws -> T) async throws -> WorkResult<T> {
        let submitted = Mutex<Job?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<WorkResult<T>, any Error>) in
                let job = Job(ticket: ticket, execute: { job in
                    let started = DispatchTime.now().uptimeNanoseconds
                    let result = Result { try body(ticket) }
                    guard job.claim() else { return }
                    continuation.resume(with: result.map {
                        WorkResult(value: $0, queueSeconds: Double(started - job.enqueued) / 1e9,
                                   runSeconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
                    })
                }, fail: { continuation.resume(throwing: $0) })
                submitted.withLock { $0 = job }
                enqueue(job)
            }
        } onCancel: {
            // Before the job exists, the abandoned ticket makes `enqueue` drop it.
            ticket.abandon()
            if let job = submitted.withLock({ $0 }) { drop(job, .abandoned) }
        }
    }

    private func enqueue(_ job: Job) {
        let outcome: (worker: Int?, error: WorkerPoolError?) = state.withLock { s in
            if let worker = s.freeWorkers.popLast() { return (worker, nil) }
            guard s.pending.count < queueDepth else { return (nil, .queueFull(retryAfter: Self.retryAfter(s, workers: workers))) }
            s.pending.append(job)
            return (nil, nil)
        }
        if let error = outcome.error {
            if job.claim() { job.fail(error) }
            return
        }
        notify()
        if let worker = outcome.worker {
            queues[worker].async { self.work(job, on: worker) }
        }
        if let stop = job.ticket.stopReason { drop(job, stop) }
        let delay = job.ticket.remainingSeconds
        DispatchQueue.global().asyncAfter(deadline: .now() + .nanoseconds(Int(delay * 1e9))) { [weak job] in
            if let job { self.drop(job, .deadlineExceeded) }
        }
    }

    /// Answers a job that will not be (or no longer is) wanted: a waiting one leaves the queue; a
    /// running one is told to stop at its next checkpoint.
    private func drop(_ job: Job, _ reason: WorkerPoolError) {
        guard job.claim() else { return }
        job.ticket.abandon()
        state.withLock { s in
            if let i = s.pending.firstIndex(where: { $0 === job }) { s.pending.remove(at: i) }
        }
        notify()
        job.fail(reason)
    }

    /// A worker's loop: run `first`, then whatever waits, until the queue is empty.
    private func work(_ first: Job, on worker: Int) {
        var next: Job? = first
        while let job = next {
            if let reason = job.ticket.stopReason {
                if job.claim() { job.fail(reason) }
            } else {
                let started = DispatchTime.now().uptimeNanoseconds
                job.execute(job)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                state.withLock { $0.averageJobSeconds = 0.8 * $0.averageJobSeconds + 0.2 * seconds }
            }
            next = state.withLock { s in
                if s.pending.isEmpty {
                    s.freeWorkers.append(worker)
                    return nil
                }
                return s.pending.removeFirst()
            }
            notify()
        }
    }

    private func notify() {
        let (busy, queued) = load
        observer(busy, queued)
    }
}

/// A job's value with where its time went.
public struct WorkResult<T: Sendable>: Sendable {
    public let value: T
    /// Seconds between submission and a worker starting it.
    public let queueSeconds: Double
    /// Seconds the job ran.
    public let runSeconds: Double
}
