import Foundation
import STClipVideo
import XCTest

/// Bad input gets its typed error: never a crash, a hang, or an untyped failure.
final class HostileInputTests: XCTestCase {
    private let options = SamplingOptions(frames: 4)

    /// The error sampling `data` gives with one decoder thread; two threads (decoder and
    /// preprocessing side by side) must give the same.
    private func error(_ data: Data, limits: VideoLimits = .default, file: StaticString = #filePath, line: UInt = #line) -> VideoError? {
        let errors = [1, 2].map { threads in
            videoError { () throws(VideoError) in try quietSampler(limits: limits, threads: threads).sample(.data(data), options: options) }
        }
        XCTAssertEqual(kind(errors[0]), kind(errors[1]), "one thread against two", file: file, line: line)
        return errors[0]
    }

    /// The case name of an error, for comparing kinds.
    private func kind(_ e: VideoError?) -> String {
        guard let e else { return "ok" }
        return String(String(describing: Mirror(reflecting: e).children.first?.label ?? "\(e)").prefix { $0 != "(" })
    }

    func testEmptyAndRandomBytesAreNotVideos() {
        XCTAssertEqual(kind(error(Data())), "notAVideo")
        var generator = SplitMixForTests(seed: 7)
        for size in [1, 7, 100, 2048, 65_536, 300_000] {
            let data = Data((0..<size).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
            XCTAssertTrue(["notAVideo", "unsupportedContainer", "noVideoStream", "corrupt"].contains(kind(error(data))), "\(size) random bytes: \(kind(error(data)))")
        }
        XCTAssertEqual(kind(error(Data("this is a text file, not a video\n".utf8))), "notAVideo")
    }

    func testTruncatedFilesGiveTypedErrors() throws {
        let moovAtEnd = try TestVideo.bytes(try TestVideo.make("h264.mp4", output: ["-c:v", "libx264", "-g", "12", "-bf", "3", "-pix_fmt", "yuv420p"]))
        let faststart = try TestVideo.bytes(try TestVideo.make("faststart.mp4", output: ["-c:v", "libx264", "-g", "12", "-movflags", "+faststart"]))
        let mkv = try TestVideo.bytes(try TestVideo.make("plain.mkv", output: ["-c:v", "libx264", "-g", "12"]))
        let typed = ["notAVideo", "corrupt", "noVideoStream"]
        // Cuts stop short of the last 2%: the file ends in metadata (udta) that demuxers may lose unharmed.
        for cut in stride(from: 0, to: moovAtEnd.count * 49 / 50, by: moovAtEnd.count / 40) {
            XCTAssertTrue(typed.contains(kind(error(moovAtEnd.prefix(cut)))), "mp4 cut at \(cut): \(kind(error(moovAtEnd.prefix(cut))))")
        }
        var faststartErrors = 0, cuts = 0
        for cut in stride(from: 0, to: faststart.count * 49 / 50, by: faststart.count / 40) {
            let k = kind(error(faststart.prefix(cut)))
            XCTAssertTrue(typed.contains(k) || k == "ok", "faststart mp4 cut at \(cut): \(k)")
            faststartErrors += k == "ok" ? 0 : 1
            cuts += 1
        }
        // The sample table promises every byte, so every cut short of the end is caught.
        XCTAssertEqual(faststartErrors, cuts)
        // Matroska has no table of contents: a cut between blocks is a shorter, valid video.
        var mkvErrors = 0
        for cut in stride(from: 0, to: mkv.count - 1, by: mkv.count / 20) {
            let k = kind(error(mkv.prefix(cut)))
            XCTAssertTrue(typed.contains(k) || k == "ok", "mkv cut at \(cut): \(k)")
            mkvErrors += k == "ok" ? 0 : 1
        }
        print("truncation: every mp4 cut rejected, faststart \(faststartErrors)/\(cuts) rejected, mkv \(mkvErrors)/20 rejected")
    }

    func testAudioFilesHaveNoVideoStream() throws {
        let mp3 = TestVideo.directory.appendingPathComponent("cover.mp3")
        if !FileManager.default.fileExists(atPath: mp3.path) {
            try TestVideo.ffmpeg(["-f", "lavfi", "-i", "sine=d=1", "-f", "lavfi", "-i", "color=red:s=32x32:d=1", "-map", "0", "-map", "1",
                                  "-frames:v", "1", "-c:a", "libmp3lame", "-c:v", "mjpeg", "-disposition:v", "attached_pic",
                                  "-id3v2_version", "3", mp3.path])
        }
        let wav = TestVideo.directory.appendingPathComponent("tone.wav")
        if !FileManager.default.fileExists(atPath: wav.path) { try TestVideo.ffmpeg(["-f", "lavfi", "-i", "sine=d=0.5", wav.path]) }
        XCTAssertEqual(error(try TestVideo.bytes(mp3)), .noVideoStream(detail: "only cover art (an attached picture)"))
        XCTAssertEqual(error(try TestVideo.bytes(wav)), .noVideoStream(detail: "audio only"))
    }

    /// Replaces the 32-bit value `offset` bytes after each occurrence of `tag` (little-endian as in
    /// RIFF/AVI, or big-endian as in MP4).
    private func patch(_ data: inout Data, after tag: String, offset: Int, bigEndian: Bool = false, _ transform: (UInt32) -> UInt32) {
        let t = Array(tag.utf8)
        var bytes = [UInt8](data)
        var i = 0
        while i + t.count + offset + 4 <= bytes.count {
            if Array(bytes[i..<(i + t.count)]) == t {
                let p = i + t.count + offset
                let order = bigEndian ? [3, 2, 1, 0] : [0, 1, 2, 3]
                let v = (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[p + order[$1]]) << (8 * $1) }
                let n = transform(v)
                for b in 0..<4 { bytes[p + order[b]] = UInt8(truncatingIfNeeded: n >> (8 * b)) }
            }
            i += 1
        }
        data = Data(bytes)
    }

    func testHugeDeclaredFrameIsRejectedBeforeDecoding() throws {
        var avi = try TestVideo.bytes(try TestVideo.make("mjpeg3.avi", count: 3, output: ["-c:v", "mjpeg", "-q:v", "3"]))
        // Every JPEG frame's SOF0 (FF C0, length, precision, height, width) and the AVI headers say 30000×30000.
        var bytes = [UInt8](avi)
        var sofs = 0
        for i in 0..<(bytes.count - 9) where bytes[i] == 0xFF && bytes[i + 1] == 0xC0 {
            (bytes[i + 5], bytes[i + 6], bytes[i + 7], bytes[i + 8]) = (0x75, 0x30, 0x75, 0x30)
            sofs += 1
        }
        XCTAssertGreaterThanOrEqual(sofs, 3)
        avi = Data(bytes)
        patch(&avi, after: "avih", offset: 4 + 32) { _ in 30000 }
        patch(&avi, after: "avih", offset: 4 + 36) { _ in 30000 }
        patch(&avi, after: "strf", offset: 4 + 4) { _ in 30000 }
        patch(&avi, after: "strf", offset: 4 + 8) { _ in 30000 }
        XCTAssertEqual(kind(error(avi)), "tooLarge", "\(String(describing: error(avi)))")
    }

    func testHeadersClaimingTenTimesTheFramesDoNotHangOrFail() throws {
        var avi = try TestVideo.bytes(try TestVideo.make("mpeg4-30.avi", count: 30, output: ["-c:v", "mpeg4", "-g", "6", "-q:v", "2"]))
        patch(&avi, after: "avih", offset: 4 + 16) { $0 * 10 }  // dwTotalFrames
        patch(&avi, after: "strh", offset: 4 + 32) { $0 * 10 }  // dwLength
        var mp4 = try TestVideo.bytes(try TestVideo.make("h264-30.mp4", count: 30, output: ["-c:v", "libx264", "-g", "6"]))
        patch(&mp4, after: "mvhd", offset: 16, bigEndian: true) { $0 * 10 }  // version 0: flags, times, timescale, then duration
        patch(&mp4, after: "mdhd", offset: 16, bigEndian: true) { $0 * 10 }
        patch(&mp4, after: "tkhd", offset: 20, bigEndian: true) { $0 * 10 }
        for (name, data) in [("avi", avi), ("mp4", mp4)] {
            let s = try quietSampler().frames(.data(data), options: SamplingOptions(frames: 6))
            XCTAssertEqual(s.video.frameCount, 30, name)
            XCTAssertEqual(s.video.duration, 1, accuracy: 1e-6, name)
            XCTAssertEqual(s.frames[0].map(TestVideo.index(of:)), [2, 7, 12, 17, 22, 27], name)
        }
    }

    func testLimits() throws {
        let url = try TestVideo.make("h264.mp4", output: ["-c:v", "libx264", "-g", "12", "-bf", "3", "-pix_fmt", "yuv420p"])
        let data = try TestVideo.bytes(url)
        XCTAssertEqual(kind(error(data, limits: VideoLimits(maxBytes: data.count - 1))), "tooLarge")
        XCTAssertEqual(kind(error(data, limits: VideoLimits(maxPixels: 64 * 48 - 1))), "tooLarge")
        XCTAssertEqual(kind(error(data, limits: VideoLimits(maxDuration: 1.5))), "tooLong")
        XCTAssertEqual(kind(error(data, limits: VideoLimits(maxFrames: 59))), "tooLarge")
        XCTAssertEqual(kind(error(data, limits: VideoLimits(codecs: ["hevc"]))), "unsupportedCodec")
        XCTAssertEqual(error(data, limits: VideoLimits(containers: ["matroska", "avi"])), .unsupportedContainer(name: "mov,mp4,m4a,3gp,3g2,mj2"))
        XCTAssertEqual(error(data, limits: VideoLimits(decodeTimeBudget: 0)), .timedOut(budget: 0))
        XCTAssertNil(error(data, limits: VideoLimits(maxBytes: data.count, maxPixels: 64 * 48, maxDuration: 2, maxFrames: 60)))

        let withAudio = TestVideo.directory.appendingPathComponent("with-audio.mkv")
        if !FileManager.default.fileExists(atPath: withAudio.path) {
            try TestVideo.ffmpeg(["-i", url.path, "-f", "lavfi", "-i", "sine=d=2", "-map", "0", "-map", "1", "-c:v", "copy", "-c:a", "libvorbis", withAudio.path])
        }
        XCTAssertNil(error(try TestVideo.bytes(withAudio)))
        XCTAssertEqual(kind(error(try TestVideo.bytes(withAudio), limits: VideoLimits(maxStreams: 1))), "tooLarge")
        let ts = TestVideo.directory.appendingPathComponent("h264.ts")
        if !FileManager.default.fileExists(atPath: ts.path) { try TestVideo.ffmpeg(["-i", url.path, "-c", "copy", ts.path]) }
        XCTAssertEqual(error(try TestVideo.bytes(ts)), .unsupportedContainer(name: "mpegts"))
    }

    /// Inputs on which the fuzz target (Scripts/fuzz/run.sh) found one thread and two disagreeing,
    /// sampled as it samples them: the same error, or the same pixels.
    /// - `mjpeg-damaged-rewrites-output.avi`: FFmpeg's MJPEG decoder writes a damaged packet's scans
    ///   into the picture it output before, which changed a frame queued by reference for the
    ///   preprocessing thread (frames wait as copies now).
    /// - `size-change-then-undecodable.bin`: a frame whose size changes (a preprocessing error) and,
    ///   later, a frame that never decodes (the decoder's error); on one thread the first comes first,
    ///   and so it must with two.
    func testFuzzFindingsGiveOneOutcomeOnOneThreadAndTwo() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/video/fuzz").standardized
        let limits = VideoLimits(maxBytes: 1 << 20, maxPixels: VideoSampler.threadedDecodingPixels - 1, maxDuration: 600, maxFrames: 5_000, maxStreams: 8,
                                 probeBytes: 1 << 20, decodeTimeBudget: 10)
        let config = PreprocessorConfig(size: .shortestEdge(24), resample: .bilinear, cropHeight: 16, cropWidth: 16)
        let options = SamplingOptions(frames: 4, views: .custom(clips: 2, crops: 3))
        for name in ["mjpeg-damaged-rewrites-output.avi", "size-change-then-undecodable.bin"] {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            let outcomes = [1, 2].map { threads in
                Result { () throws(VideoError) in
                    try quietSampler(limits: limits, threads: threads).sample(.data(data), options: options, preprocessing: config)
                }
            }
            switch (outcomes[0], outcomes[1]) {
            case let (.success(one), .success(two)):
                let differing = zip(one.pixels.buffer, two.pixels.buffer).filter { $0 != $1 }.count
                XCTAssertEqual(differing, 0, "\(name): values that differ between one thread and two")
                print("\(name): sampled, \(one.pixels.count) values equal on one thread and two")
            case let (.failure(one), .failure(two)):
                XCTAssertEqual(one, two, name)
                print("\(name): \(one) on one thread and two")
            default:
                XCTFail("\(name): one thread and two disagree: \(outcomes)")
            }
        }
    }

    func testBadRequestsAndMissingFiles() throws {
        let url = try TestVideo.make("h264.mp4", output: ["-c:v", "libx264", "-g", "12", "-bf", "3", "-pix_fmt", "yuv420p"])
        XCTAssertEqual(kind(videoError { () throws(VideoError) in
            try quietSampler().sample(.file(path: url.path), options: SamplingOptions(frames: 0))
        }), "invalidRequest")
        XCTAssertEqual(kind(videoError { () throws(VideoError) in
            try quietSampler().sample(.file(path: url.path), options: SamplingOptions(frames: 2, views: .custom(clips: 1, crops: 2)))
        }), "invalidRequest")
        XCTAssertEqual(kind(videoError { () throws(VideoError) in
            try quietSampler().sample(.file(path: "/nonexistent/video.mp4"), options: SamplingOptions(frames: 2))
        }), "io")
        for e in [VideoError.notAVideo(detail: "x"), .timedOut(budget: 1), .tooLong(seconds: 2, limit: 1)] {
            XCTAssertFalse(e.description.contains("\n"))
        }
    }
}
