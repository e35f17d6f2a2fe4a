import Foundation
@testable import STClipService
import XCTest

/// The semaphore that bounds the questions to the language model: places up to its limit, then
/// waiting in order, each wait bounded.
final class AsyncLimiterTests: XCTestCase {
    func testPlacesUpToTheLimitThenBoundedWaits() async {
        let limiter = AsyncLimiter(limit: 2)
        let first = await limiter.acquire(waitingAtMost: 0)
        let second = await limiter.acquire(waitingAtMost: 0)
        XCTAssertTrue(first && second)
        let started = Date()
        let third = await limiter.acquire(waitingAtMost: 0.2)
        XCTAssertFalse(third, "no place came free")
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.15)
        limiter.release()
        let fourth = await limiter.acquire(waitingAtMost: 0)
        XCTAssertTrue(fourth, "the released place is free")
    }

    func testWaitersAreServedInOrder() async throws {
        let limiter = AsyncLimiter(limit: 1)
        let held = await limiter.acquire(waitingAtMost: 0)
        XCTAssertTrue(held)
        let waiters = (0..<3).map { i in
            Task { () -> (got: Bool, at: ContinuousClock.Instant) in
                // Staggered, so that they queue in this order.
                try await Task.sleep(for: .milliseconds(50 * i))
                let got = await limiter.acquire(waitingAtMost: 10)
                let at = ContinuousClock.now
                // Held a moment, so that the next waiter's turn comes measurably later.
                try await Task.sleep(for: .milliseconds(20))
                limiter.release()
                return (got, at)
            }
        }
        try await Task.sleep(for: .milliseconds(300))
        let released = ContinuousClock.now
        limiter.release()
        var turns: [(got: Bool, at: ContinuousClock.Instant)] = []
        for waiter in waiters { turns.append(try await waiter.value) }
        XCTAssertEqual(turns.map(\.got), [true, true, true])
        XCTAssertTrue(turns.allSatisfy { $0.at >= released }, "all waited while the place was held")
        XCTAssertTrue(turns[0].at < turns[1].at && turns[1].at < turns[2].at, "served in the order they came")
        let again = await limiter.acquire(waitingAtMost: 0)
        XCTAssertTrue(again, "every place was given back")
    }

    /// A waiter that gave up is not handed a place later (which would leak it).
    func testAWaiterThatGaveUpTakesNoPlace() async {
        let limiter = AsyncLimiter(limit: 1)
        _ = await limiter.acquire(waitingAtMost: 0)
        let gaveUp = await limiter.acquire(waitingAtMost: 0.05)
        XCTAssertFalse(gaveUp)
        limiter.release()
        let next = await limiter.acquire(waitingAtMost: 0)
        XCTAssertTrue(next)
    }
}
