import STClipVideo
import XCTest

final class FFmpegLibrariesTests: XCTestCase {
    /// The linked libraries report themselves: a broken link or a wrong major version shows here.
    func testReportsTheLinkedFFmpegLibraries() {
        let versions = FFmpegLibraries.versions
        for library in ["libavformat", "libavcodec", "libavutil", "libswscale"] {
            XCTAssertTrue(versions.contains(library + " "), versions)
        }
        XCTAssertFalse(versions.contains(" 0.0.0"), versions)
    }
}
