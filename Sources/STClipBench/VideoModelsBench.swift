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
            return try serve(family, pixels)
        }
        var clipMS: Double? = nil, stasMS: Double? = nil
        if chosen.contains("clip") {
            let clip = try CLIPVisionTower(config: CLIPVisionConfig(), weights: RandomWeights())
            clipMS = try time { _ = try clip.pooled(pixels.reshaped(Array(pixels.shape.dropFirst()))) }
            report("clip-b32", clipMS!)
        }
        if chosen.contains("xclip") {
            var x = XCLIPConfig()
            x.frames = frames
            let xclip = try XCLIPModel(config: x, weights: RandomWeights())
            report("xclip-b32", try time { _ = try xclip.videoFeatures(pixels) })
        }
        if chosen.contains("stas") {
            var s = STASCLIPConfig()
            s.frames = frames
            s.auxHead = .none
            let stas = try STASCLIPModel(config: s, weights: RandomWeights())
            stasMS = try time { _ = try stas.videoFeatures(pixels) }
            report("stas-clip-b32", stasMS!)
        }
        if let clipMS, let stasMS { print("{\"stas_over_clip\": \(stasMS / clipMS)}") }
    }

    /// Times `family`'s classification path per stdin line (Scripts/bench/lockstep.py).
    func serve(_ family: String, _ pixels: Tensor) throws {
        switch family {
        case "clip":
            let clip = try CLIPVisionTower(config: CLIPVisionConfig(), weights: RandomWeights())
            let frames = pixels.reshaped(Array(pixels.shape.dropFirst()))
            try CLIPVisionBench.serveLockstep { _ = try clip.pooled(frames) }
        case "xclip":
            var x = XCLIPConfig()
            x.frames = frames
            let xclip = try XCLIPModel(config: x, weights: RandomWeights())
            try CLIPVisionBench.serveLockstep { _ = try xclip.videoFeatures(pixels) }
        case "stas":
            var s = STASCLIPConfig()
            s.frames = frames
            s.auxHead = .none
            let stas = try STASCLIPModel(config: s, weights: RandomWeights())
            try CLIPVisionBench.serveLockstep { _ = try stas.videoFeatures(pixels) }
        default:
            throw ValidationError("unknown family '\(family)': clip, xclip or stas")
        }
    }

    /// Median milliseconds of `iterations` runs after one warm-up.
    func time(_ body: () throws -> Void) throws -> Double {
        try body()
        var times: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return times.sorted()[times.count / 2]
    }

    func report(_ model: String, _ ms: Double) {
        print("{\"impl\": \"stclip\", \"model\": \"\(model)\", \"median_ms\": \(ms), \"frames\": \(frames), \"threads\": \(threads)}")
    }
}
