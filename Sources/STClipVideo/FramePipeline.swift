import CFFmpeg
import Dispatch
import Foundation

/// Runs the decoder and the per-frame work after it (conversion to RGB, preprocessing) side by
/// side, so that a second core resizes one frame while the decoder works towards the next.
///
/// The decoder hands each frame over; up to `limit` copies wait for the worker, and when that many
/// are waiting the decoder's thread does the work itself on the frame it holds, so memory stays
/// bounded and nothing waits on a worker that never started. A waiting frame is a private copy,
/// not a new reference: decoders may write into a picture they have already output, and the
/// worker must see what the decoder handed over, as work done on the spot would. The two sides run as `DispatchQueue.concurrentPerform`
/// iterations: when Dispatch has no thread to spare (other requests keep the cores busy), the
/// worker side runs after the decoder on the same thread and the work is done in turn, without
/// oversubscribing the machine. `process` is never called by two threads at once.
final class FramePipeline: @unchecked Sendable {
    private let condition = NSCondition()
    private let serial = NSLock()
    private let limit: Int
    private var waiting: [(Int, Frame)] = []
    private var closed = false
    private var failure: VideoError?
    /// Uptime nanoseconds at which the decoder handed over its last frame.
    private(set) var decodedAt: UInt64 = 0

    private init(limit: Int) { self.limit = limit }

    /// Calls `produce` with a function that takes each frame (shown index, decoded frame, valid for
    /// the call), and `process` for every frame so taken, on it or on a copy of it. Returns when both are done: `decodedAt` (uptime nanoseconds)
    /// says when `produce` returned. The first error of either side is thrown; after it, no more
    /// frames are processed and the decoder is stopped at its next frame. Without `sideBySide`,
    /// each frame is processed as it is handed over, on the calling thread.
    static func run(limit: Int, sideBySide: Bool,
                    produce: ((Int, UnsafeMutablePointer<AVFrame>) throws(VideoError) -> Void) throws(VideoError) -> Void,
                    process: (Int, UnsafeMutablePointer<AVFrame>) throws(VideoError) -> Void) throws(VideoError) -> UInt64 {
        let pipeline = FramePipeline(limit: sideBySide ? limit : 0)
        // concurrentPerform returns only after both iterations ran, so the non-escaping closures
        // outlive their concurrent use; the box only tells the compiler so.
        withoutActuallyEscaping(produce) { produce in
            withoutActuallyEscaping(process) { process in
                let sides = UncheckedPair(produce: produce, process: process)
                guard sideBySide else { return pipeline.decode(sides) }  // limit 0: every frame processed inline
                DispatchQueue.concurrentPerform(iterations: 2) { side in
                    if side == 0 { pipeline.decode(sides) } else { pipeline.work(sides) }
                }
            }
        }
        if let failure = pipeline.failure { throw failure }
        return pipeline.decodedAt
    }

    private func decode(_ sides: UncheckedPair) {
        do throws(VideoError) {
            try sides.produce { (shown: Int, frame: UnsafeMutablePointer<AVFrame>) throws(VideoError) in
                let (failed, room) = state { (failure, waiting.count < limit) }
                if let failed { throw failed }
                // Only this side adds frames, so room found here is still there after the copy.
                if room { return offer(shown, try Frame(copying: frame)) }
                try serially { () throws(VideoError) in try sides.process(shown, frame) }
            }
        } catch {
            fail(error)
        }
        decodedAt = DispatchTime.now().uptimeNanoseconds
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func work(_ sides: UncheckedPair) {
        while let (shown, frame) = take() {
            do throws(VideoError) {
                try serially { () throws(VideoError) in try sides.process(shown, frame.frame) }
            } catch {
                fail(error)
            }
        }
    }

    /// Queues a frame for the worker.
    private func offer(_ shown: Int, _ frame: Frame) {
        condition.lock()
        waiting.append((shown, frame))
        condition.signal()
        condition.unlock()
    }

    /// The next waiting frame, nil once the decoder is done and none wait or once a side failed.
    private func take() -> (Int, Frame)? {
        condition.lock()
        defer { condition.unlock() }
        while waiting.isEmpty && !closed && failure == nil { condition.wait() }
        guard failure == nil, !waiting.isEmpty else { return nil }
        return waiting.removeFirst()
    }

    private func fail(_ error: VideoError) {
        condition.lock()
        if failure == nil { failure = error }
        waiting.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    private func state<T>(_ read: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return read()
    }

    private func serially(_ body: () throws(VideoError) -> Void) throws(VideoError) {
        serial.lock()
        defer { serial.unlock() }
        try body()
    }
}

/// The two sides' closures, for the concurrent iterations (see `FramePipeline.run`).
private struct UncheckedPair: @unchecked Sendable {
    let produce: ((Int, UnsafeMutablePointer<AVFrame>) throws(VideoError) -> Void) throws(VideoError) -> Void
    let process: (Int, UnsafeMutablePointer<AVFrame>) throws(VideoError) -> Void
}
