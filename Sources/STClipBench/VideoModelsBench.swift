import ArgumentParser
import Foundation
import STClipModels
import STClipRuntime

/// Times one clip through the three families at ViT-B/32 size with random weights, each computing
/// what classification needs: plain CLIP's pooled frames (frame average), X-CLIP's
/// `get_video_features` and stas-clip's video embedding. Prints one JSON
/// line per family plus stas-clip's cost relative to CLIP.
struct VideoModelsBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "video-models")

    @Option(help: "Frames per clip.") var frames = 8
    @Option(help: "Timed runs after one warm-up.") var iterations = 10
    @Option(help: "BLAS threads.") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Families to time, comma-separated: clip, xclip, stas (stas-clip's cost over CLIP needs both).")
    var models = "clip,xclip,stas"
    @Flag(help: "Serve Scripts/bench/lockstep.py instead: one clip through the one family --models names per stdin line.")
    var lockstep = false

    func run() throws {
        BLAS.threads = threads
        let pixels = try RandomWeights(seed: 1, scale: 1).tensor("pixels", shape: [1, frames, 3, 224, 224])

        let chosen = Set(models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if lockstep {
            guard chosen.count == 1, let family = chosen.first else { throw ValidationError("--lockstep times one family: --models clip, xclip or stas") }
            return try BenchTiming.serveLockstep(try work(family, pixels))
        }
        var medians: [String: Double] = [:]
        for family in ["clip", "xclip", "stas"] where chosen.contains(family) {
            let times = try BenchTiming.time(iterations, try work(family, pixels))
            let median = times[times.count / 2]
            medians[family] = median
            report(family == "stas" ? "stas-clip-b32" : "\(family)-b32", median)
        }
        if let clipMS = medians["clip"], let stasMS = medians["stas"] { print("{\"stas_over_clip\": \(stasMS / clipMS)}") }
    }

    /// One clip through `family`'s classification path, with random weights at B/32 size.
    func work(_ family: String, _ pixels: Tensor) throws -> () throws -> Void {
        switch family {
        case "clip":
            let clip = try CLIPVisionTower(config: CLIPVisionConfig(), weights: RandomWeights())
            let frames = pixels.reshaped(Array(pixels.shape.dropFirst()))
            return { _ = try clip.pooled(frames) }
        case "xclip":
            var x = XCLIPConfig()
            x.frames = frames
            let xclip = try XCLIPModel(config: x, weights: RandomWeights())
            return { _ = try xclip.videoFeatures(pixels) }
        case "stas":
            var s = STASCLIPConfig()
            s.frames = frames
            s.auxHead = .none
            let stas = try STASCLIPModel(config: s, weights: RandomWeights())
            return { _ = try stas.videoFeatures(pixels) }
        default:
            throw ValidationError("unknown family '\(family)': clip, xclip or stas")
        }
    }

    func report(_ model: String, _ ms: Double) {
        print("{\"impl\": \"stclip\", \"model\": \"\(model)\", \"median_ms\": \(ms), \"frames\": \(frames), \"threads\": \(threads)}")
    }
}
