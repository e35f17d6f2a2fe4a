import Dispatch
import Foundation
@testable import STClipService
import Synchronization
import XCTest

/// The bounded worker pool on its own.
final class WorkerPoolTests: XCTestCase {
    /// Jobs run `workers` at a time and the rest wait.
    func testBoundsConcurrency() async throws {
        let running = Locked<(now: Int, peak: Int)>((0, 0))
        let pool = WorkerPool(workers: 2, queueDepth: 10)
        try await withThrowingTaskGroup(of: Double.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await pool.submit(WorkTicket(seconds: 30)) { _ in
                        running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
                        Thread.sleep(forTimeInterval: 0.05)
                        running.withLock { $0.now -= 1 }
                    }.queueSeconds
                }
            }
            var waits: [Double] = []
            for try await wait in group { waits.append(wait) }
            XCTAssertEqual(waits.filter { $0 > 0.04 }.count, 4, "four jobs waited for a worker: \(waits)")
        }
        XCTAssertEqual(running.withLock { $0.peak }, 2)
        try await waitUntil { pool.load.busy == 0 && pool.load.queued == 0 }
    }

    func testFullQueueRefusesAtOnceWithRetryAfter() async throws {
        let pool = WorkerPool(workers: 1, queueDepth: 1)
        let release = DispatchSemaphore(value: 0)
        XCTAssertNoThrow(try pool.checkAdmission())
        async let first = pool.submit(WorkTicket(seconds: 30)) { _ in release.wait() }
        try await waitUntil { pool.load.busy == 1 }
        XCTAssertNoThrow(try pool.checkAdmission())
        async let second = pool.submit(WorkTicket(seconds: 30)) { _ in 2 }
        try await waitUntil { pool.load.queued == 1 }
        XCTAssertThrowsError(try pool.checkAdmission())
        do {
            _ = try await pool.submit(WorkTicket(seconds: 30)) { _ in 3 }
            XCTFail("a third job fitted")
        } catch let WorkerPoolError.queueFull(retryAfter) {
            XCTAssertGreaterThanOrEqual(retryAfter, 1)
        }
        release.signal()
        _ = try await first
        let value = try await second.value
        XCTAssertEqual(value, 2)
    }

    func testWaitingJobIsDroppedAtItsDeadlineAndOnCancellation() async throws {
        let pool = WorkerPool(workers: 1, queueDepth: 4)
        let release = DispatchSemaphore(value: 0)
        let ran = Locked(0)
        async let blocker = pool.submit(WorkTicket(seconds: 30)) { _ in release.wait() }
        try await waitUntil { pool.load.busy == 1 }

        let start = DispatchTime.now().uptimeNanoseconds
        do {
            _ = try await pool.submit(WorkTicket(seconds: 0.2)) { _ in ran.withLock { $0 += 1 } }
            XCTFail("the job ran past its deadline")
        } catch WorkerPoolError.deadlineExceeded {
            XCTAssertLessThan(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, 5)
        }

        let cancelled = Task { try await pool.submit(WorkTicket(seconds: 30)) { _ in ran.withLock { $0 += 1 } } }
        try await waitUntil { pool.load.queued == 1 }
        cancelled.cancel()
        do {
            _ = try await cancelled.value
            XCTFail("a cancelled job ran")
        } catch WorkerPoolError.abandoned {}
        XCTAssertEqual(pool.load.queued, 0)

        let gone = Locked(false)
        async let orphan = pool.submit(WorkTicket(seconds: 30, clientGone: { gone.withLock { $0 } })) { _ in ran.withLock { $0 += 1 } }
        try await waitUntil { pool.load.queued == 1 }
        gone.withLock { $0 = true }
        release.signal()
        _ = try await blocker
        do {
            _ = try await orphan
            XCTFail("the job of a departed client ran")
        } catch WorkerPoolError.clientGone {}
        XCTAssertEqual(ran.withLock { $0 }, 0)
    }

    /// A running job past its deadline is answered at the deadline and stops at its checkpoint.
    func testRunningJobIsAnsweredAtItsDeadline() async throws {
        let pool = WorkerPool(workers: 1, queueDepth: 0)
        let reachedCheckpoint = Locked<WorkerPoolError?>(nil)
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            _ = try await pool.submit(WorkTicket(seconds: 0.1)) { ticket in
                Thread.sleep(forTimeInterval: 0.4)
                do { try ticket.checkpoint() } catch let error as WorkerPoolError { reachedCheckpoint.withLock { $0 = error } } catch {}
            }
            XCTFail("no deadline")
        } catch WorkerPoolError.deadlineExceeded {
            XCTAssertLessThan(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, 0.35)
        }
        try await waitUntil { pool.load.busy == 0 }
        XCTAssertEqual(reachedCheckpoint.withLock { $0 }, .abandoned)
    }

    func testErrorsOfTheJobReachTheCaller() async throws {
        struct Boom: Error {}
        let pool = WorkerPool(workers: 1, queueDepth: 1)
        do {
            _ = try await pool.submit(WorkTicket(seconds: 5)) { _ -> Int in throw Boom() }
            XCTFail("no error")
        } catch is Boom {}
        // The worker frees itself just after answering.
        try await waitUntil { pool.load.busy == 0 }
    }
}

/// Polls `condition` every 5 ms for up to 5 s.
func waitUntil(_ condition: @Sendable () -> Bool, file: StaticString = #filePath, line: UInt = #line) async throws {
    for _ in 0..<1000 {
        if condition() { return }
        try await Task.sleep(for: .milliseconds(5))
    }
    XCTFail("condition not met within 5 s", file: file, line: line)
}

/// A value shared between test tasks.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>
    init(_ value: Value) { mutex = Mutex(value) }
    func withLock<T>(_ body: (inout Value) -> T) -> T { mutex.withLock { body(&$0) } }
}
