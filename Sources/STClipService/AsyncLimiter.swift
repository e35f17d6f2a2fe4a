import DequeModule
import Synchronization

/// A counting semaphore for async code: at most `limit` holders at once, the rest waiting in
/// FIFO order, each for at most a given time. Waiting suspends the task; no thread is blocked.
final class AsyncLimiter: Sendable {
    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var available: Int
        var waiters = Deque<Waiter>()
        var nextID: UInt64 = 0
    }

    let limit: Int
    private let state: Mutex<State>

    init(limit: Int) {
        precondition(limit >= 1)
        self.limit = limit
        state = Mutex(State(available: limit))
    }

    /// Takes a place, waiting up to `seconds` for one; false when none came free in time. Every
    /// true answer is to be matched by one `release()`.
    func acquire(waitingAtMost seconds: Double) async -> Bool {
        let id: UInt64? = state.withLock { s in
            if s.available > 0 {
                s.available -= 1
                return nil
            }
            defer { s.nextID += 1 }
            return s.nextID
        }
        guard let id else { return true }
        return await withCheckedContinuation { continuation in
            let placed: Bool = state.withLock { s in
                // A place may have come free since the first look.
                if s.available > 0 {
                    s.available -= 1
                    return true
                }
                s.waiters.append(Waiter(id: id, continuation: continuation))
                return false
            }
            if placed { return continuation.resume(returning: true) }
            Task {
                try? await Task.sleep(for: .seconds(max(0, seconds)))
                self.giveUp(id)
            }
        }
    }

    /// Hands the place to the longest waiter, or frees it.
    func release() {
        let next: Waiter? = state.withLock { s in
            if let waiter = s.waiters.popFirst() { return waiter }
            s.available += 1
            precondition(s.available <= limit, "AsyncLimiter released more often than acquired")
            return nil
        }
        next?.continuation.resume(returning: true)
    }

    /// Ends the wait of `id` with false, unless it has already been given a place.
    private func giveUp(_ id: UInt64) {
        let waiter: Waiter? = state.withLock { s in
            guard let index = s.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return s.waiters.remove(at: index)
        }
        waiter?.continuation.resume(returning: false)
    }
}
