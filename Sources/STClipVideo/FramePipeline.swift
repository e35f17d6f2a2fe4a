import CFFmpeg
import Dispatch
import Foundation

/// Runs the decoder and the per-frame work after it (conversion to RGB, preprocessing) side by
/// side, so that a second core resizes one frame while the decoder works towards the next, with
/// the outcome of doing each frame's work on the spot, in order.
///
/// - Frames are processed one at a time, in the order the decoder handed them over.
/// - Up to `limit` frames wait for the worker, each as a private copy, not a new reference:
///   decoders may write into a picture they have already output (FFmpeg's MJPEG decoder does on
///   damaged input), and the worker must see what was handed over. When that many wait, the
///   decoder's thread processes the oldest itself, so memory stays bounded and nothing waits on a
///   worker that never started.
/// - Errors: a frame's processing error stops everything, the decoder at its next frame; a
///   decoder error lets the frames handed before it be processed first, and one of their errors
///   wins, as it would have come first on the spot.
///
/// The two sides run as `DispatchQueue.concurrentPerform` iterations: when Dispatch has no thread
/// to spare (other requests keep the cores busy), the worker side runs after the decoder on the
/// same thread, without oversubscribing the machine.
final class FramePipeline: @unchecked Sendable {
    private let condition = NSCondition()  // guards waiting, closed, failure
    private let serial = NSLock()          // held while a frame is taken and processed: one at a time, in order
    private let limit: Int
    private var waiting: [(Int, Frame)] = []
    private var closed = false
    private var failure: VideoError?
    /// Uptime nanoseconds at which the decoder handed over its last frame.
    private(set) var decodedAt: UInt64 = 0

    private init(limit: Int) { self.limit = limit }

    /// Calls `produce` with a function that takes each frame (shown index, decoded frame, valid for
    /// the call), and `process` once for every frame so taken, on it or on a copy of it. Returns
    /// when both are done, with the uptime nanoseconds at which `produce` returned. Without
    /// `sideBySide`, each frame is processed as it is handed over, on the calling thread.
    static func run(limit: Int, sideBySide: Bool,
                    produce: ((Int, UnsafeMutablePointer<AVFrame>) throws(VideoError) -> Void) throws(VideoError) -> Void,
                    process: (Int, UnsafeMutablePointer<AVFrame>) throws(VideoError) -> Void) throws(VideoError) -> UInt64 {
        let pipeline = FramePipeline(limit: sideBySide ? max(1, limit) : 0)
        var decoderFailure: VideoError?
        // concurrentPerform returns only after both iterations ran, so the non-escaping closures
        // outlive their concurrent use; the box only tells the compiler so.
        withoutActuallyEscaping(produce) { produce in
            withoutActuallyEscaping(process) { process in
                let sides = UncheckedPair(produce: produce, process: process)
                guard sideBySide else { return decoderFailure = pipeline.decode(sides) }
                let result = UncheckedBox<VideoError?>(nil)
                DispatchQueue.concurrentPerform(iterations: 2) { side in
                    if side == 0 { result.value = pipeline.decode(sides) } else { pipeline.work(sides) }
                }
                decoderFailure = result.value
            }
        }
        if let failure = pipeline.failure ?? decoderFailure { throw failure }
        return pipeline.decodedAt
    }

    /// The decoder's side: hands frames over until `produce` returns; its own error, if any.
    private func decode(_ sides: UncheckedPair) -> VideoError? {
        var thrown: VideoError?
        do throws(VideoError) {
            try sides.produce { (shown: Int, frame: UnsafeMutablePointer<AVFrame>) throws(VideoError) in
                if let failure = state({ failure }) { throw failure }
                guard limit > 0 else { return try serially { () throws(VideoError) in try sides.process(shown, frame) } }
                if state({ waiting.count >= limit }) { try processOldest(sides) }
                let copy = try Frame(copying: frame)
                condition.lock()
                waiting.append((shown, copy))
                condition.signal()
                condition.unlock()
            }
        } catch {
            thrown = error
        }
        decodedAt = DispatchTime.now().uptimeNanoseconds
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
        return thrown
    }

    /// The worker's side: processes waiting frames until the decoder is done and none wait, or a
    /// frame failed.
    private func work(_ sides: UncheckedPair) {
        while true {
            condition.lock()
            while waiting.isEmpty && !closed && failure == nil { condition.wait() }
            let done = failure != nil || waiting.isEmpty
            condition.unlock()
            if done { return }
            do throws(VideoError) { try processOldest(sides) } catch { return }
        }
    }

    /// Takes the oldest waiting frame, if any, and processes it; its error stops the pipeline and is rethrown.
    private func processOldest(_ sides: UncheckedPair) throws(VideoError) {
        try serially { () throws(VideoError) in
            guard let (shown, frame) = state({ waiting.isEmpty || failure != nil ? nil : waiting.removeFirst() }) else { return }
            do throws(VideoError) {
                try sides.process(shown, frame.frame)
            } catch {
                condition.lock()
                if failure == nil { failure = error }
                waiting.removeAll()
                condition.broadcast()
                condition.unlock()
                throw error
            }
        }
    }

    private func state<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
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

/// The decoder side's result, written by one iteration and read after both.
private final class UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}
