import Foundation
import STClipVideo
import XCTest

/// Which frames come back: exact indices under CFR, VFR, start offsets, seeking and every
/// container and codec the sampler accepts.
final class FrameSelectionTests: XCTestCase {
    /// 60 frames at 30 fps, h264 with B-frames and a keyframe every 12 frames.
    private func h264() throws -> URL {
        try TestVideo.make("h264.mp4", output: ["-c:v", "libx264", "-g", "12", "-bf", "3", "-pix_fmt", "yuv420p"])
    }

    /// Segment centres of a 2 s, 30 fps video cut in `t` segments, as frame indices.
    private func centres(_ t: Int, frames: Int = 60, rate: Double = 30) -> [Int] {
        (0..<t).map { k in Int(((Double(k) + 0.5) * Double(frames) / rate / Double(t)) * rate) }
    }

    func testTestModeTakesEachSegmentsCentreFrame() throws {
        let url = try h264()
        for source in [VideoSource.file(path: url.path), .data(try TestVideo.bytes(url))] {
            let s = try quietSampler().frames(source, options: SamplingOptions(frames: 8))
            XCTAssertEqual(s.frames[0].map(TestVideo.index(of:)), [3, 11, 18, 26, 33, 41, 48, 56])
            XCTAssertEqual(s.frames[0].map(TestVideo.index(of:)), centres(8))
            XCTAssertEqual(s.timestamps[0], (0..<8).map { (Double($0) + 0.5) * 0.25 })
            for (i, pts) in zip(centres(8), s.presentationTimes[0]) { XCTAssertEqual(pts, Double(i) / 30, accuracy: 1e-9) }
            XCTAssertEqual(s.video.frameCount, 60)
            XCTAssertEqual(s.video.duration, 2, accuracy: 1e-9)
            XCTAssertEqual(s.video.codec, "h264")
            XCTAssertEqual([s.video.width, s.video.height], [64, 48])
        }
    }

    func testSeekingAndSkippingGiveTheSameFramesAsDecodingEverything() throws {
        let url = try h264()
        let all = try quietSampler().frames(.file(path: url.path), options: SamplingOptions(frames: 60))
        XCTAssertEqual(all.frames[0].map(TestVideo.index(of:)), Array(0..<60))
        XCTAssertEqual(all.timing.seeks, 0)
        for (t, threads) in [(4, 1), (5, 2), (8, 2), (13, 1)] {
            let some = try quietSampler(threads: threads).frames(.file(path: url.path), options: SamplingOptions(frames: t))
            for image in some.frames[0] {
                XCTAssertEqual(image.packed(), all.frames[0][TestVideo.index(of: image)].packed(), "T=\(t) frame \(TestVideo.index(of: image))")
            }
        }
        let four = try quietSampler().frames(.file(path: url.path), options: SamplingOptions(frames: 4))
        XCTAssertEqual(four.frames[0].map(TestVideo.index(of:)), [7, 22, 37, 52])
        XCTAssertGreaterThanOrEqual(four.timing.seeks, 3, "targets 15 frames apart with keyframes every 12 should seek")
        XCTAssertLessThan(four.timing.packetsDecoded, 60)
        XCTAssertGreaterThan(four.timing.packetsDropped, 0, "unreferenced B-frames should not reach the decoder")
        XCTAssertLessThanOrEqual(four.timing.framesDecoded, four.timing.packetsDecoded)
    }

    /// Non-reference pictures left out before the decoder (x264's and x265's B-frames) change no
    /// other frame: for every T from 1 to 30, at one and two threads, each frame returned is the
    /// one decoding every packet gives, pixel for pixel.
    func testDroppedNonReferencePicturesChangeNoOtherFrame() throws {
        for (name, args) in [("h264-pyramid.mp4", ["-c:v", "libx264", "-g", "24", "-bf", "3", "-b-pyramid", "normal", "-pix_fmt", "yuv420p"]),
                             ("hevc-bframes.mp4", ["-c:v", "libx265", "-x265-params", "log-level=none:keyint=24:bframes=4",
                                                   "-pix_fmt", "yuv420p", "-tag:v", "hvc1"]),
                             ("hevc-bframes.mkv", ["-c:v", "libx265", "-x265-params", "log-level=none:keyint=24:bframes=3:b-pyramid=0",
                                                   "-pix_fmt", "yuv420p"])] {
            let url = try TestVideo.make(name, output: args)
            let all = try quietSampler().frames(.file(path: url.path), options: SamplingOptions(frames: 60))
            XCTAssertEqual(all.frames[0].map(TestVideo.index(of:)), Array(0..<60), name)
            XCTAssertEqual(all.timing.packetsDropped, 0, "\(name): every frame wanted, none dropped")
            var dropped = 0
            for t in 1...30 {
                for threads in [1, 2] {
                    let some = try quietSampler(threads: threads).frames(.data(try TestVideo.bytes(url)), options: SamplingOptions(frames: t))
                    // The frame shown at each time, by the container's own timestamps (Matroska's are whole milliseconds).
                    let shown = some.timestamps[0].map { time in all.presentationTimes[0].lastIndex { $0 <= time + 1e-9 } ?? 0 }
                    XCTAssertEqual(some.frames[0].map(TestVideo.index(of:)), shown, "\(name), T=\(t), \(threads) threads")
                    for image in some.frames[0] {
                        XCTAssertEqual(image.packed(), all.frames[0][TestVideo.index(of: image)].packed(), "\(name), T=\(t), \(threads) threads")
                    }
                    dropped += some.timing.packetsDropped
                }
            }
            XCTAssertGreaterThan(dropped, 0, "\(name): some non-reference pictures should have been dropped")
            print("\(name): \(dropped) packets dropped over T = 1…30 at 1 and 2 threads, every frame as decoded in full")
        }
    }

    func testOneLongGOPDecodesStraightThrough() throws {
        let url = try TestVideo.make("h264-gop250.mp4", output: ["-c:v", "libx264", "-g", "250", "-bf", "2", "-pix_fmt", "yuv420p"])
        let s = try quietSampler().frames(.file(path: url.path), options: SamplingOptions(frames: 6))
        XCTAssertEqual(s.frames[0].map(TestVideo.index(of:)), centres(6))
        XCTAssertEqual(s.timing.seeks, 0)
    }

    func testEveryContainerAndCodec() throws {
        let cases: [(String, Int, Int, [String])] = [
            ("h264.mov", 64, 48, ["-c:v", "libx264", "-g", "12", "-pix_fmt", "yuv420p"]),
            ("hevc.mkv", 64, 48, ["-c:v", "libx265", "-x265-params", "log-level=none:keyint=12", "-pix_fmt", "yuv420p"]),
            ("hevc-10bit.mp4", 64, 48, ["-c:v", "libx265", "-x265-params", "log-level=none:keyint=12", "-pix_fmt", "yuv420p10le", "-tag:v", "hvc1"]),
            ("vp9-odd.webm", 63, 47, ["-c:v", "libvpx-vp9", "-g", "12", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "2M"]),
            ("vp8.webm", 64, 48, ["-c:v", "libvpx", "-g", "12", "-b:v", "2M"]),
            ("av1.mkv", 64, 48, ["-c:v", "libaom-av1", "-cpu-used", "8", "-g", "12", "-crf", "20"]),
            // AVI stores no presentation times; with B-frames FFmpeg's frame times lag a frame behind, so
            // B-frames are tested in mp4 and AVI without them.
            ("mpeg4.avi", 64, 48, ["-c:v", "mpeg4", "-g", "12", "-q:v", "2"]),
            ("mpeg4-bframes.mp4", 64, 48, ["-c:v", "mpeg4", "-g", "12", "-bf", "2", "-q:v", "2"]),
            ("mjpeg.avi", 64, 48, ["-c:v", "mjpeg", "-q:v", "2"]),
            ("h264-10bit.mkv", 64, 48, ["-c:v", "libx264", "-g", "12", "-pix_fmt", "yuv420p10le"]),
            ("h264-odd444.mkv", 65, 49, ["-c:v", "libx264", "-g", "12", "-pix_fmt", "yuv444p"]),
        ]
        for (name, w, h, args) in cases {
            let url = try TestVideo.make(name, width: w, height: h, output: args)
            let s = try quietSampler().frames(.data(try TestVideo.bytes(url)), options: SamplingOptions(frames: 5))
            XCTAssertEqual(s.frames[0].map(TestVideo.index(of:)), centres(5), name)
            let threaded = try quietSampler(threads: 2).frames(.file(path: url.path), options: SamplingOptions(frames: 7))
            XCTAssertEqual(threaded.frames[0].map(TestVideo.index(of:)), centres(7), "\(name), 2 threads")
            XCTAssertEqual([s.video.width, s.video.height], [w, h], name)
            print("\(name): \(s.video.container) / \(s.video.codec), \(s.video.frameCount) frames, \(s.video.duration) s")
        }
    }

    /// Pictures of 200,000 pixels and more decode on two threads (smaller ones on one): frame threads
    /// for H.264, slice threads (x265's wavefront rows) for HEVC. Both give exactly the frames, and
    /// the pixels, of one thread.
    func testThreadedDecodingOfLargePictures() throws {
        for (name, args) in [("h264-640x480.mp4", ["-c:v", "libx264", "-g", "12", "-bf", "3", "-pix_fmt", "yuv420p"]),
                             ("hevc-640x480.mp4", ["-c:v", "libx265", "-x265-params", "log-level=none:keyint=12:wpp=1",
                                                   "-pix_fmt", "yuv420p", "-tag:v", "hvc1"])] {
            let url = try TestVideo.make(name, width: 640, height: 480, output: args)
            let one = try quietSampler(threads: 1).frames(.file(path: url.path), options: SamplingOptions(frames: 60))
            XCTAssertEqual(one.frames[0].map(TestVideo.index(of:)), Array(0..<60), name)
            for t in [8, 60] {
                let two = try quietSampler(threads: 2).frames(.data(try TestVideo.bytes(url)), options: SamplingOptions(frames: t))
                XCTAssertEqual(two.frames[0].map(TestVideo.index(of:)), centres(t), "\(name), T=\(t), 2 threads")
                for image in two.frames[0] {
                    XCTAssertEqual(image.packed(), one.frames[0][TestVideo.index(of: image)].packed(), "\(name), T=\(t)")
                }
            }
        }
    }

    func testNonZeroStartTimes() throws {
        for (name, args) in [("start5.mkv", ["-c:v", "libx264", "-g", "12", "-output_ts_offset", "5"]),
                             ("start5.mp4", ["-c:v", "libx264", "-g", "12", "-bf", "2", "-output_ts_offset", "5"])] {
            let url = try TestVideo.make(name, output: args)
            let s = try quietSampler().frames(.file(path: url.path), options: SamplingOptions(frames: 8))
            XCTAssertEqual(s.video.startTime, 5, accuracy: 0.002, name)
            XCTAssertEqual(s.frames[0].map(TestVideo.index(of:)), centres(8), name)
            for (t, pts) in zip(s.timestamps[0], s.presentationTimes[0]) {
                XCTAssertTrue(t >= 5 && t < 7 && pts <= t + 1e-9 && t - pts < 1.0 / 30 + 1e-6, "\(name): t=\(t) pts=\(pts)")
            }
        }
    }

    /// Frame N is shown at 40·N + 25·(N mod 2) ms, plus 500 ms from frame 30 on — as setpts
    /// computes it: the expression in Double, divided by the 1/1000 time base, truncated.
    private func vfrMilliseconds(_ n: Int) -> Int { Int(Double(40 * n + 25 * (n % 2) + (n >= 30 ? 500 : 0)) / 1000 / 0.001) }

    func testVariableFrameRateSamplesByTime() throws {
        let filter = "settb=1/1000,setpts=(40*N+25*mod(N\\,2)+500*gte(N\\,30))/1000/TB"
        for (name, args) in [("vfr.mkv", ["-fps_mode", "passthrough", "-enc_time_base:v", "1:1000", "-c:v", "libx264", "-g", "12", "-bf", "2"]),
                             ("vfr.mp4", ["-fps_mode", "passthrough", "-enc_time_base:v", "1:1000", "-c:v", "libx264", "-g", "12", "-video_track_timescale", "1000"])] {
            let url = try TestVideo.make(name, filters: filter, output: args)
            let s = try quietSampler().frames(.file(path: url.path), options: SamplingOptions(frames: 16))
            let pts = (0..<60).map { Double(vfrMilliseconds($0)) / 1000 }
            XCTAssertEqual(s.video.frameCount, 60, name)
            XCTAssertGreaterThanOrEqual(s.video.duration, pts[59], name)
            for k in 0..<16 {
                let t = s.timestamps[0][k]
                XCTAssertEqual(t, s.video.startTime + (Double(k) + 0.5) * s.video.duration / 16, accuracy: 1e-9)
                let expected = pts.lastIndex { $0 <= t + 1e-9 } ?? 0
                XCTAssertEqual(TestVideo.index(of: s.frames[0][k]), expected, "\(name): segment \(k) at \(t) s")
                XCTAssertEqual(s.presentationTimes[0][k], pts[expected], accuracy: 1e-6, name)
            }
            // Time, not frame count: the 500 ms gap holds frame 29 for several segments.
            XCTAssertGreaterThanOrEqual(s.frames[0].map(TestVideo.index(of:)).filter { $0 == 29 }.count, 2, name)
        }
    }

    func testTrainModeIsSeededAndStaysInItsSegments() throws {
        let url = try h264()
        let a = try quietSampler().frames(.file(path: url.path), options: SamplingOptions(frames: 8, mode: .train(seed: 42)))
        let b = try quietSampler().frames(.file(path: url.path), options: SamplingOptions(frames: 8, mode: .train(seed: 42)))
        let c = try quietSampler().frames(.file(path: url.path), options: SamplingOptions(frames: 8, mode: .train(seed: 43)))
        XCTAssertEqual(a.timestamps, b.timestamps)
        XCTAssertNotEqual(a.timestamps, c.timestamps)
        for (k, t) in a.timestamps[0].enumerated() {
            XCTAssertTrue(t >= Double(k) * 0.25 && t < Double(k + 1) * 0.25, "segment \(k): \(t)")
            XCTAssertEqual(TestVideo.index(of: a.frames[0][k]), Int(t * 30 + 1e-9))
        }
    }

    func testMultipleClipsOffsetWithinSegments() throws {
        let url = try h264()
        let s = try quietSampler().frames(.file(path: url.path), options: SamplingOptions(frames: 4, views: .fourByThree))
        XCTAssertEqual(s.frames.count, 4)
        for c in 0..<4 {
            let expected = (0..<4).map { k in (Double(k) + (Double(c) + 0.5) / 4) * 0.5 }
            XCTAssertEqual(s.timestamps[c], expected)
            XCTAssertEqual(s.frames[c].map(TestVideo.index(of:)), expected.map { Int($0 * 30 + 1e-9) })
        }
    }

    func testDisplayMatrixRotationIsApplied() throws {
        let base = try TestVideo.make("upright.mp4", output: ["-c:v", "libx264", "-g", "12", "-pix_fmt", "yuv420p"])
        for degrees in [90, 180, 270] {
            let url = TestVideo.directory.appendingPathComponent("rotate\(degrees).mp4")
            if !FileManager.default.fileExists(atPath: url.path) {
                try TestVideo.ffmpeg(["-i", base.path, "-c", "copy", "-metadata:s:v:0", "rotate=\(degrees)", url.path])
            }
            let s = try quietSampler().frames(.file(path: url.path), options: SamplingOptions(frames: 3))
            let (w, h) = degrees == 180 ? (64, 48) : (48, 64)
            // FFmpeg 5.1's CLI stores `rotate=D` as a display matrix turning the picture D degrees
            // counter-clockwise (later releases flipped the sign); the pixels below are the arbiter.
            XCTAssertEqual(s.video.rotation, (360 - degrees) % 360)
            XCTAssertEqual([s.video.width, s.video.height], [w, h])
            let reference = try TestVideo.decodeAll(url, width: w, height: h)  // the ffmpeg CLI autorotates
            for (image, pts) in zip(s.frames[0], s.presentationTimes[0]) {
                let ours = image.packed(), theirs = reference[Int((pts * 30).rounded())]
                let worst = zip(ours, theirs).map { abs(Int($0) - Int($1)) }.max() ?? 255
                XCTAssertLessThanOrEqual(worst, 2, "rotate=\(degrees), frame at \(pts) s")
            }
        }
    }
}

extension FrameSelectionTests {
    func testConcurrentRequestsAgreeWithASerialOne() throws {
        let url = try TestVideo.make("h264.mp4", output: ["-c:v", "libx264", "-g", "12", "-bf", "3", "-pix_fmt", "yuv420p"])
        let data = try TestVideo.bytes(url)
        let options = SamplingOptions(frames: 5, views: .custom(clips: 2, crops: 3))
        let config = PreprocessorConfig(size: .shortestEdge(32), cropHeight: 24, cropWidth: 24)
        let serial = try quietSampler().sample(.data(data), options: options, preprocessing: config).pixels.toArray()
        let results = ConcurrentResults(count: 4)
        DispatchQueue.concurrentPerform(iterations: 4) { i in
            let r = try? quietSampler(threads: 1 + i % 2).sample(.data(data), options: options, preprocessing: config).pixels.toArray()
            results.set(i, r)
        }
        for i in 0..<4 { XCTAssertEqual(results.get(i), serial, "request \(i)") }
    }
}
