import ArgumentParser
import Foundation
import STClipModels
import STClipRuntime

/// `stclip embed-video --model DIR --pixels FILE.npy` with float32 `(T, 3, H, W)` preprocessed
/// frames → `{"video_embeds": [...], "frame_embeds": [[...], ...]}`.
struct EmbedVideoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "embed-video", abstract: "Video and frame embeddings in the joint space.")

    @OptionGroup var options: ModelOptions

    @Option(help: "A .npy file of float32 (T, 3, H, W) preprocessed frames.")
    var pixels: String

    func run() throws {
        let model = try options.load()
        let frames = try CLIError.wrap { try NPY.read(URL(fileURLWithPath: pixels)) }
        let (video, perFrame) = try CLIError.wrap { try model.videoEmbeddings(pixels: frames) }
        let p = model.embeddingDimension
        struct Output: Encodable { let video_embeds: [Float]; let frame_embeds: [[Float]] }
        try JSONOutput.print(Output(video_embeds: video.toArray(),
                                    frame_embeds: (0..<perFrame.shape[0]).map { Array(perFrame.buffer[($0 * p)..<($0 * p + p)]) }))
    }
}
