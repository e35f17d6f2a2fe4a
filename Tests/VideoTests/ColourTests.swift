import Foundation
import STClipVideo
import XCTest

/// Conversion to RGB follows each stream's colour matrix and range, as the ffmpeg CLI does.
final class ColourTests: XCTestCase {
    func testMatrixAndRangeFollowTheStream() throws {
        let cases: [(String, [String])] = [
            ("bt601-tv.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-colorspace", "smpte170m", "-color_range", "tv"]),
            ("bt709-tv.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p", "-colorspace", "bt709", "-color_primaries", "bt709",
                              "-color_trc", "bt709", "-color_range", "tv"]),
            ("bt709-pc.mkv", ["-c:v", "libx264", "-pix_fmt", "yuvj420p", "-colorspace", "bt709", "-color_range", "pc"]),
            // Untagged: BT.601, limited range, as FFmpeg assumes.
            ("untagged.mkv", ["-c:v", "libx264", "-pix_fmt", "yuv420p"]),
            ("untagged-10bit.mkv", ["-c:v", "libx264", "-pix_fmt", "yuv420p10le"]),
            ("hevc-10bit-bt709.mp4", ["-c:v", "libx265", "-x265-params", "log-level=none", "-pix_fmt", "yuv420p10le", "-colorspace", "bt709"]),
        ]
        var outputs: [[UInt8]] = []
        for (name, args) in cases {
            let url = try TestVideo.make(name, count: 12, colour: true, output: args)
            let s = try quietSampler().frames(.file(path: url.path), options: SamplingOptions(frames: 3))
            let reference = try TestVideo.decodeAll(url, width: 64, height: 48)
            for (image, pts) in zip(s.frames[0], s.presentationTimes[0]) {
                let theirs = reference[Int((pts * 30).rounded())]
                let worst = zip(image.packed(), theirs).map { abs(Int($0) - Int($1)) }.max() ?? 255
                XCTAssertEqual(worst, 0, "\(name) frame at \(pts) s")
            }
            outputs.append(s.frames[0][0].packed())
        }
        // The tags matter: the same pixels read through BT.601 and BT.709 differ.
        let differences = zip(outputs[0], outputs[1]).map { abs(Int($0) - Int($1)) }
        XCTAssertGreaterThan(differences.max() ?? 0, 4)
    }
}
