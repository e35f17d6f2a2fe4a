import CFFmpeg
import Foundation
@testable import STClipVideo
import XCTest

/// The decoder and the per-frame work side by side: every frame processed once, in order, never
/// two at a time, and errors as processing each frame on the spot would give them.
final class FramePipelineTests: XCTestCase {
    /// Counts calls and catches overlapping ones.
    private final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private var inside = 0
        private(set) var seen: [Int] = []
        private(set) var overlaps = 0

        func enter(_ i: Int) {
            lock.lock()
            inside += 1
            overlaps += inside > 1 ? 1 : 0
            seen.append(i)
            lock.unlock()
        }

        func leave() {
            lock.lock()
            inside -= 1
            lock.unlock()
        }
    }

    /// A 4×4 grey picture holding `value` in every pixel.
    private func picture(_ frame: Frame, value: Int) throws {
        let f = frame.frame
        if f.pointee.buf.0 == nil {
            f.pointee.format = AV_PIX_FMT_GRAY8.rawValue
            (f.pointee.width, f.pointee.height) = (4, 4)
            XCTAssertEqual(av_frame_get_buffer(f, 0), 0)
        }
        for y in 0..<4 { f.pointee.data.0!.advanced(by: y * Int(f.pointee.linesize.0)).update(repeating: UInt8(value % 256), count: 4) }
    }

    /// A decoder that hands over `count` frames, like FFmpeg's, in one picture it rewrites in place
    /// each time (so a frame processed later than handed over must have been copied), failing at `failAt`.
    private func produce(_ count: Int, failAt: Int? = nil) throws(VideoError) -> ((Int, UnsafeMutablePointer<AVFrame>) throws(VideoError) -> Void) throws(VideoError) -> Void {
        let scratch = try Frame()
        return { (hand: (Int, UnsafeMutablePointer<AVFrame>) throws(VideoError) -> Void) throws(VideoError) in
            for i in 0..<count {
                if i == failAt { throw .corrupt(detail: "decoder failed at \(i)") }
                try? self.picture(scratch, value: i)
                try hand(i, scratch.frame)
            }
        }
    }

    /// The value of the picture's last pixel.
    private func value(_ frame: UnsafeMutablePointer<AVFrame>) -> Int {
        Int(frame.pointee.data.0![3 * Int(frame.pointee.linesize.0) + 3])
    }

    func testEveryFrameOnceAndNeverTwoAtATime() throws {
        for sideBySide in [false, true] {
            for limit in [1, 4] {
                let tally = Tally()
                _ = try FramePipeline.run(limit: limit, sideBySide: sideBySide, produce: produce(200)) { (i: Int, frame: UnsafeMutablePointer<AVFrame>) throws(VideoError) in
                    tally.enter(self.value(frame) == i % 256 ? i : -1 - i)
                    usleep(UInt32(i % 7 == 0 ? 500 : 20))
                    tally.leave()
                }
                XCTAssertEqual(tally.seen.sorted(), Array(0..<200), "side by side \(sideBySide), limit \(limit): each frame once, as handed over")
                XCTAssertEqual(tally.overlaps, 0, "side by side \(sideBySide), limit \(limit)")
                XCTAssertEqual(tally.seen, Array(0..<200), "side by side \(sideBySide), limit \(limit): in the order handed over")
            }
        }
    }

    func testTheDecodersErrorIsThrownAfterTheFramesBeforeIt() {
        for sideBySide in [false, true] {
            let tally = Tally()
            let error = videoError { () throws(VideoError) in
                try FramePipeline.run(limit: 4, sideBySide: sideBySide, produce: try produce(50, failAt: 30)) { (i: Int, _: UnsafeMutablePointer<AVFrame>) throws(VideoError) in
                    tally.enter(i)
                    tally.leave()
                }
            }
            XCTAssertEqual(error, .corrupt(detail: "decoder failed at 30"))
            XCTAssertEqual(tally.seen, Array(0..<30), "side by side \(sideBySide): the frames handed over before the error")
        }
    }

    /// A processing error on a frame handed over before the decoder's error is the one thrown, as
    /// on the spot it would have stopped the decoder first.
    func testAnEarlierFramesErrorWinsOverTheDecoders() {
        for sideBySide in [false, true] {
            let error = videoError { () throws(VideoError) in
                try FramePipeline.run(limit: 4, sideBySide: sideBySide, produce: try produce(50, failAt: 21)) { (i: Int, _: UnsafeMutablePointer<AVFrame>) throws(VideoError) in
                    usleep(300)
                    if i == 19 { throw .corrupt(detail: "frame \(i) will not convert") }
                }
            }
            XCTAssertEqual(error, .corrupt(detail: "frame 19 will not convert"), "side by side \(sideBySide)")
        }
    }

    func testAProcessingErrorStopsTheDecoder() {
        for sideBySide in [false, true] {
            let tally = Tally()
            var handed = 0
            let error = videoError { () throws(VideoError) in
                try FramePipeline.run(limit: 2, sideBySide: sideBySide, produce: { (hand: (Int, UnsafeMutablePointer<AVFrame>) throws(VideoError) -> Void) throws(VideoError) in
                    let scratch = try Frame()
                    for i in 0..<1000 {
                        handed = i + 1
                        try? self.picture(scratch, value: i)
                        try hand(i, scratch.frame)
                        usleep(200)
                    }
                }) { (i: Int, _: UnsafeMutablePointer<AVFrame>) throws(VideoError) in
                    tally.enter(i)
                    defer { tally.leave() }
                    if i == 5 { throw .corrupt(detail: "frame \(i) will not convert") }
                }
            }
            XCTAssertEqual(error, .corrupt(detail: "frame 5 will not convert"))
            XCTAssertLessThan(handed, 20, "side by side \(sideBySide): the decoder stops soon after the failure")
            XCTAssertEqual(tally.seen, Array(0...5), "side by side \(sideBySide): nothing processed after the failure")
        }
    }
}
