import Foundation

/// Small test videos made at test time with the ffmpeg CLI (FFmpeg's `testsrc` pattern), cached
/// for the run in a temporary directory.
enum TestVideos {
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-service-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// A 1 s, 64×48, 15 fps MPEG-4 Part 2 video in MP4.
    static func mp4() throws -> Data { try make("clip.mp4", ["-c:v", "mpeg4"]) }

    /// `seconds` of 96×64 video, for requests that should take a while to decode.
    static func long(seconds: Int) throws -> Data {
        try make("long-\(seconds).mp4", ["-c:v", "mpeg4"], size: "96x64", seconds: seconds)
    }

    private static func make(_ name: String, _ codec: [String], size: String = "64x48", seconds: Int = 1) throws -> Data {
        let url = directory.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: url.path) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi",
                                 "-i", "testsrc=size=\(size):rate=15", "-t", String(seconds)] + codec + [url.path]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw TestVideoError(description: "the ffmpeg CLI could not make \(name) (exit \(process.terminationStatus))")
            }
        }
        return try Data(contentsOf: url)
    }
}

struct TestVideoError: Error, CustomStringConvertible {
    let description: String
}
