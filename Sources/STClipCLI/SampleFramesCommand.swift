import ArgumentParser
import Foundation
import STClipRuntime
import STClipVideo

/// `stclip sample-frames VIDEO --frames T [--views 1x1|4x3] [--model DIR] --out FILE.npy`: writes
/// float32 `(V, T, 3, H, W)` and prints, per view, the chosen times and the presentation times of
/// the frames returned.
struct SampleFramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sample-frames",
                                                    abstract: "Sample and preprocess video frames into a .npy tensor.")

    @Argument(help: "The video file.")
    var video: String

    @Option(help: "Frames per clip (T).")
    var frames: Int

    @Option(help: "Temporal clips × spatial crops: 1x1 or 4x3 (or CxS with S = 1 or 3).")
    var views: String = "1x1"

    @Option(help: "A model directory whose preprocessor_config.json sets the preprocessing (default: CLIP's).")
    var model: String?

    @Option(help: "Train-mode sampling with this seed (a random point per segment and a multi-scale crop per clip) instead of segment centres and centre crops.")
    var seed: UInt64?

    @Option(help: "Decoder threads.")
    var threads: Int = 2

    @Option(name: .customLong("repeat"), help: "Sample the video this many times in one process and report the last run's timing (and every run's): a warm process, as a server's is once it has served a request (the first run also pays one-time costs, such as page faults for the decoder's buffers).")
    var repetitions: Int = 1

    @Option(help: "Where to write the float32 (V, T, 3, H, W) .npy file.")
    var out: String

    func validate() throws {
        guard frames >= 1 else { throw ValidationError("--frames must be at least 1") }
        guard ViewLayout(views) != nil else { throw ValidationError("--views must look like 1x1 or 4x3") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard (1...1000).contains(repetitions) else { throw ValidationError("--repeat must be 1 to 1000") }
    }

    func run() throws {
        FFmpegLibraries.logLevel = .quiet
        let config = try CLIError.wrap { () throws -> PreprocessorConfig in
            guard let model else { return .clip }
            return try PreprocessorConfig.load(directory: URL(fileURLWithPath: model))
        }
        let options = SamplingOptions(frames: frames, views: ViewLayout(views)!, mode: seed.map { .train(seed: $0) } ?? .test)
        let sampler = VideoSampler(decoderThreads: threads)
        func sample() throws -> SampledVideo {
            try CLIError.wrap { try sampler.sample(.file(path: video), options: options, preprocessing: config) }
        }
        var sampled = try sample()
        var timings = [sampled.timing]
        for _ in 1..<repetitions {
            sampled = try sample()
            timings.append(sampled.timing)
        }
        try CLIError.wrap { try NPY.encode(sampled.pixels).write(to: URL(fileURLWithPath: out)) }
        struct Output: Encodable {
            let shape: [Int]
            let views: [SampledView]
            let video: VideoInfo
            let timing: SamplingTiming
            /// Every run's timing, in order, when there was more than one.
            let runTimings: [SamplingTiming]?
        }
        try JSONOutput.print(Output(shape: sampled.pixels.shape, views: sampled.views, video: sampled.video, timing: sampled.timing,
                                    runTimings: timings.count > 1 ? timings : nil))
    }
}
