import Foundation
import STClipVideo
import XCTest

/// Test videos made at test time with the ffmpeg CLI from raw RGB frames generated here, so that
/// every frame says which one it is: the left half carries the frame index as two gray levels
/// (ones digit in the top quarter, tens digit in the bottom), the right half a texture that moves
/// with the index (so that a wrongly decoded reference shows up in the pixels). Files are cached
/// for the run in a temporary directory.
enum TestVideo {
    static let directory: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stclip-video-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Gray level for digit `d` (0…9): 20, 43, …, 227 — 23 levels apart, far beyond codec error.
    static func level(_ d: Int) -> UInt8 { UInt8(20 + 23 * d) }

    /// Packed RGB24 bytes of frame `i`; with `colour`, the texture's channels differ.
    static func frame(_ i: Int, width: Int, height: Int, colour: Bool = false) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let v: UInt8
                if x < width / 2 {
                    v = y < height / 2 ? level(i % 10) : level((i / 10) % 10)
                } else {
                    v = UInt8(truncatingIfNeeded: (x &* 9 &+ y &* 5 &+ i &* 11) ^ ((x * y) >> 2))
                }
                let p = 3 * (y * width + x)
                let colourful = colour && x >= width / 2
                (bytes[p], bytes[p + 1], bytes[p + 2]) = colourful ? (v, 255 - v, UInt8(truncatingIfNeeded: Int(v) * 3)) : (v, v, v)
            }
        }
        return bytes
    }

    /// The index a decoded (unrotated) frame carries.
    static func index(of image: RGBImage) -> Int {
        func digit(_ cy: Int) -> Int {
            var sum = 0, n = 0
            for y in (cy - 2)...(cy + 2) { for x in (image.width / 4 - 2)...(image.width / 4 + 2) { sum += Int(image[x, y].g); n += 1 } }
            return Int(((Double(sum) / Double(n) - 20) / 23).rounded())
        }
        return digit(image.height / 4) + 10 * digit(3 * image.height / 4)
    }

    /// Encodes `count` frames at `rate` fps with `output` arguments (codec, container options)
    /// into `name` and returns its URL; `filters` go to `-vf`.
    static func make(_ name: String, width: Int = 64, height: Int = 48, count: Int = 60, rate: Int = 30,
                     colour: Bool = false, filters: String? = nil, output: [String]) throws -> URL {
        let url = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: url.path) { return url }
        var raw = [UInt8]()
        raw.reserveCapacity(width * height * 3 * count)
        for i in 0..<count { raw += frame(i, width: width, height: height, colour: colour) }
        var args = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "\(width)x\(height)", "-framerate", "\(rate)", "-i", "-"]
        if let filters { args += ["-vf", filters] }
        try ffmpeg(args + output + [url.path + ".part.\(url.pathExtension)"], stdin: Data(raw))
        try FileManager.default.moveItem(atPath: url.path + ".part.\(url.pathExtension)", toPath: url.path)
        return url
    }

    /// Runs `ffmpeg -y -loglevel error ARGS`, feeding `stdin`; throws with its stderr on failure.
    static func ffmpeg(_ arguments: [String], stdin: Data? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["ffmpeg", "-nostdin", "-y", "-loglevel", "error"].filter { stdin == nil || $0 != "-nostdin" } + arguments
        let log = directory.appendingPathComponent("ffmpeg-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let logHandle = try FileHandle(forWritingTo: log)
        defer { try? logHandle.close(); try? FileManager.default.removeItem(at: log) }
        process.standardError = logHandle
        process.standardOutput = FileHandle.nullDevice
        let pipe = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : pipe
        try process.run()
        if let stdin {
            try pipe.fileHandleForWriting.write(contentsOf: stdin)
            try pipe.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw TestVideoError(description: "ffmpeg \(arguments.joined(separator: " ")) failed: \(message)")
        }
    }

    /// Every frame of `url` as the ffmpeg CLI decodes it to RGB24 (autorotated), packed, converted
    /// with swscale's bilinear chroma upsampling as the sampler converts (it matters for formats
    /// without a dedicated converter, such as 10-bit 4:2:0).
    static func decodeAll(_ url: URL, width: Int, height: Int) throws -> [[UInt8]] {
        let out = directory.appendingPathComponent(UUID().uuidString + ".rgb")
        defer { try? FileManager.default.removeItem(at: out) }
        try ffmpeg(["-i", url.path, "-fps_mode", "passthrough", "-sws_flags", "bilinear", "-f", "rawvideo", "-pix_fmt", "rgb24", out.path])
        let bytes = [UInt8](try Data(contentsOf: out))
        let size = width * height * 3
        return stride(from: 0, to: bytes.count, by: size).map { Array(bytes[$0..<min(bytes.count, $0 + size)]) }
    }

    /// A file's bytes.
    static func bytes(_ url: URL) throws -> Data { try Data(contentsOf: url) }
}

struct TestVideoError: Error, CustomStringConvertible {
    let description: String
}

/// The sampler used by most tests: quiet logs, one decoder thread, default limits.
func quietSampler(limits: VideoLimits = .default, threads: Int = 1) -> VideoSampler {
    FFmpegLibraries.logLevel = .quiet
    return VideoSampler(limits: limits, decoderThreads: threads)
}

/// The error `body` throws, or nil.
func videoError<T>(_ body: () throws(VideoError) -> T) -> VideoError? {
    do { _ = try body(); return nil } catch { return error }
}
