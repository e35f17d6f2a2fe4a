import Foundation
import STClipVideo

/// libFuzzer's entry point: the bytes are an upload, sampled in memory under tight limits, once
/// on one thread and once with preprocessing beside the decoder. Any outcome but a crash, a hang,
/// a leak or a disagreement between the two is a pass; errors must be `VideoError`s, which the
/// typed `throws` guarantees. Pictures stay under `VideoSampler.threadedDecodingPixels`, so both
/// decode on one decoder thread and must give the same error or the same pixels.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FFmpegLibraries.logLevel = .quiet
    let limits = VideoLimits(maxBytes: 1 << 20, maxPixels: VideoSampler.threadedDecodingPixels - 1, maxDuration: 600, maxFrames: 5_000, maxStreams: 8,
                             probeBytes: 1 << 20, decodeTimeBudget: 10)
    let config = PreprocessorConfig(size: .shortestEdge(24), resample: .bilinear, cropHeight: 16, cropWidth: 16)
    let options = SamplingOptions(frames: 4, views: .custom(clips: 2, crops: 3))
    let bytes = Data(bytes: data, count: size)
    let outcomes = [1, 2].map { threads -> Result<SampledVideo, VideoError> in
        Result { () throws(VideoError) in
            try VideoSampler(limits: limits, decoderThreads: threads).sample(.data(bytes), options: options, preprocessing: config)
        }
    }
    switch (outcomes[0], outcomes[1]) {
    case let (.success(one), .success(two)):
        precondition(one.pixels.shape == [6, 4, 3, 16, 16], "unexpected shape \(one.pixels.shape)")
        precondition(one.pixels.buffer.allSatisfy(\.isFinite), "non-finite pixels")
        precondition(one.pixels.buffer.elementsEqual(two.pixels.buffer), "one thread and two give different pixels")
    case let (.failure(one), .failure(two)):
        _ = one.description
        precondition(one == two, "one thread fails with \(one), two with \(two)")
    default:
        preconditionFailure("one thread and two disagree: \(outcomes)")
    }
    return 0
}

#if FUZZING
/// libFuzzer's driver (in `-sanitize=fuzzer`'s runtime), called from the executable's entry point
/// because SwiftPM names every executable's `main` itself.
@_silgen_name("LLVMFuzzerRunDriver")
private func runDriver(_ argc: UnsafeMutablePointer<Int32>,
                       _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                       _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@main
enum VideoFuzz {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runDriver(&argc, &argv, fuzzOneInput))
    }
}
#else
/// Without libFuzzer (`-DFUZZING` unset): replays the files named on the command line through the
/// same entry point, to reproduce a finding in an ordinary build or debugger.
@main
enum VideoFuzzReplay {
    static func main() throws {
        for path in CommandLine.arguments.dropFirst() {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            _ = bytes.withUnsafeBytes { raw in
                fuzzOneInput(raw.bindMemory(to: UInt8.self).baseAddress ?? UnsafePointer(bitPattern: 1)!, bytes.count)
            }
            print("\(path): ok")
        }
    }
}
#endif
