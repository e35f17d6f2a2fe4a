import ArgumentParser
import Foundation
import STClipModels
import STClipRuntime

@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stclip-bench", abstract: "stclip benchmarks; Scripts/bench/ runs them beside PyTorch.",
        subcommands: [CLIPVisionBench.self, VideoModelsBench.self, KernelTimes.self])
}

/// Times the CLIP vision tower on a clip of frames and prints one JSON line of figures.
struct CLIPVisionBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clip-vision")

    @Option(help: "Frames per clip.") var frames = 8
    @Option(help: "Timed runs after one warm-up.") var iterations = 10
    @Option(help: "BLAS threads.") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Patch size of the ViT-B config with random weights (32 or 16).") var patch = 32
    @Option(help: "A CLIP model directory to load instead of random weights (times the load, reports RSS).") var model: String?
    @Option(help: "Serve Scripts/bench/lockstep.py instead: time one forward per stdin line, of 'all' tokens or the 'pooled' class tokens.")
    var lockstep: String?

    func run() throws {
        BLAS.threads = threads
        var config = CLIPVisionConfig()
        config.patchSize = patch
        var loadMilliseconds = 0.0, weightBytes = 0
        let tower: CLIPVisionTower
        if let model {
            let start = DispatchTime.now().uptimeNanoseconds
            let loaded = try LoadedModel.load(directory: model)
            loadMilliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            guard case .clip(let clip) = loaded.network else { throw ValidationError("\(model) is not a CLIP model") }
            tower = clip.vision
            config = clip.vision.config
            weightBytes = Self.fileBytes(in: model, suffix: ".safetensors")
        } else {
            tower = try CLIPVisionTower(config: config, weights: RandomWeights())
        }
        let pixels = try RandomWeights(seed: 1, scale: 1).tensor("pixels", shape: [frames, 3, 224, 224])
        switch lockstep {
        case "all": return try BenchTiming.serveLockstep { _ = try tower.forward(pixels) }
        case "pooled": return try BenchTiming.serveLockstep { _ = try tower.pooled(pixels) }
        case nil: break
        case let other?: throw ValidationError("--lockstep takes 'all' or 'pooled', not '\(other)'")
        }
        // All tokens of every layer (the work of transformers' CLIPVisionModel forward), and the
        // pooled class tokens alone (what classification and get_image_features need).
        let times = try BenchTiming.time(iterations) { _ = try tower.forward(pixels) }
        let pooledTimes = try BenchTiming.time(iterations) { _ = try tower.pooled(pixels) }
        let floor = gemmFloor(config: config)
        print("{\"impl\": \"stclip\", \"median_ms\": \(times[times.count / 2]), \"min_ms\": \(times[0]), "
              + "\"pooled_median_ms\": \(pooledTimes[pooledTimes.count / 2]), "
              + "\"gemm_floor_ms\": \(floor), \"threads\": \(threads), \"load_ms\": \(loadMilliseconds), "
              + "\"weights_mb\": \(Double(weightBytes) / 1e6), \"peak_rss_mb\": \(Self.peakRSSBytes() / 1e6), "
              + "\"blas\": \"\(BLAS.configuration)\"}")
    }

    /// VmHWM from /proc/self/status: the peak resident set so far.
    static func peakRSSBytes() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kb = Double(line.split(separator: " ").dropFirst().first ?? "") else { return .nan }
        return kb * 1024
    }

    static func fileBytes(in directory: String, suffix: String) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(suffix) }.reduce(0) { total, name in
            total + ((try? FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.size] as? Int) ?? 0)
        }
    }

    /// The time of the tower's dense GEMMs alone (patch embedding, q/k/v/out, MLP), best of three:
    /// the floor the whole forward pass can approach.
    func gemmFloor(config c: CLIPVisionConfig) -> Double {
        let rows = frames * c.tokens, d = c.hiddenSize, i = c.intermediateSize
        let shapes = [(frames * (c.tokens - 1), d, 3 * c.patchSize * c.patchSize, 1)]
            + [(rows, d, d, 4 * c.layers), (rows, i, d, c.layers), (rows, d, i, c.layers)]
        let a = Tensor(zeros: [rows * max(i, 3 * c.patchSize * c.patchSize)])
        let b = Tensor(zeros: [i * d]), out = Tensor(zeros: [rows * i])
        var best = Double.infinity
        for _ in 0..<3 {
            let start = DispatchTime.now().uptimeNanoseconds
            for (m, n, k, repeats) in shapes {
                for _ in 0..<repeats {
                    BLAS.sgemm(transB: true, m: m, n: n, k: k, a: a.data, lda: k, b: b.data, ldb: k, c: out.data, ldc: n)
                }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return best
    }
}
