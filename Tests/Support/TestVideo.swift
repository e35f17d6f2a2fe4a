import Foundation
import XCTest

/// Short test videos made with the ffmpeg command line (lavfi's `testsrc` pattern).
public enum TestVideo {
    /// Writes a `size` (`WxH`) H.264 yuv420p clip of `seconds` at 10 fps to `url`, failing the test if ffmpeg does.
    public static func make(at url: URL, size: String = "64x64", seconds: Int = 2,
                            file: StaticString = #filePath, line: UInt = #line) throws {
        let ffmpeg = Process()
        ffmpeg.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        ffmpeg.arguments = ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc=size=\(size):rate=10",
                            "-t", "\(seconds)", "-pix_fmt", "yuv420p", url.path]
        try ffmpeg.run()
        ffmpeg.waitUntilExit()
        XCTAssertEqual(ffmpeg.terminationStatus, 0, "ffmpeg could not write \(url.path)", file: file, line: line)
    }
}
