import ArgumentParser
import Foundation
import STClipLabelSets
import STClipModels
import STClipRuntime
import STClipVideo

/// `stclip classify [--model DIR] (VIDEO [--views 1x1|4x3] [--frames T] | --pixels FILE.npy)
/// [--labels TEXT... | --labelset NAME [--mode M] | --closed-set] [--top-k K]` → the best labels.
/// With none of the three label options, the model's own label set (`labelset.json` in its directory,
/// as the embedded default model has) is used.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classify", abstract: "Zero-shot top-k labels of a video.")

    @OptionGroup var options: ModelOptions

    @Argument(help: "A video file, sampled and preprocessed as the model's preprocessor_config.json says.")
    var video: String?

    @Option(help: "Instead of a video: a .npy file of float32 preprocessed frames, (T, 3, H, W) or (views, T, 3, H, W).")
    var pixels: String?

    @Option(help: "With a video: temporal clips × spatial crops, 1x1 or 4x3 (views are averaged).")
    var views: String = "1x1"

    @Option(help: "With a video: frames per clip (default: what the model takes; 8 for CLIP).")
    var frames: Int?

    @Option(parsing: .upToNextOption, help: "The candidate labels (class texts).")
    var labels: [String] = []

    @Option(help: "A built-in label set instead of --labels: \(BuiltinLabelSets.names.joined(separator: ", ")).")
    var labelset: String?

    @Option(help: "With --labelset, class embeddings from: name, templates, descriptions or all.")
    var mode: ClassEmbeddingMode = LabelSet.defaultMode

    @Flag(help: "Use stas-clip's closed-set auxiliary head over the classes it was trained on instead of --labels.")
    var closedSet = false

    @Option(name: .customLong("top-k"), help: "How many labels to return (1–100).")
    var topK = 5

    func validate() throws {
        guard (1...100).contains(topK) else { throw ValidationError("--top-k must be between 1 and 100") }
        guard (video == nil) != (pixels == nil) else { throw ValidationError("give either a VIDEO or --pixels FILE.npy") }
        guard ViewLayout(views) != nil else { throw ValidationError("--views must look like 1x1 or 4x3") }
        if let frames { guard (1...1024).contains(frames) else { throw ValidationError("--frames must be between 1 and 1024") } }
        guard [!labels.isEmpty, labelset != nil, closedSet].filter({ $0 }).count <= 1 else {
            throw ValidationError("give at most one of --labels, --labelset and --closed-set")
        }
    }

    func run() throws {
        let clock = ContinuousClock()
        var loadTime = Duration.zero, sampleTime = Duration.zero, inferenceTime = Duration.zero
        var model: LoadedModel!
        loadTime = try clock.measure { model = try options.load() }
        var frames: Tensor!
        sampleTime = try clock.measure { frames = try input(for: model) }
        let classifier = Classifier(model: model)
        let labelSet = try labelset.map { name in try CLIError.wrap { try BuiltinLabelSets.load(name) } }
            ?? (labels.isEmpty && !closedSet ? try modelLabelSet(model) : nil)
        var result: Classification!
        inferenceTime = try clock.measure {
            result = try CLIError.wrap {
                if let labelSet {
                    let classes = try ClassTextEncoder(model: model).embeddings(for: labelSet.classes, mode: mode)
                    return try classifier.classify(pixels: frames, classes: classes, topK: topK)
                }
                return closedSet ? try classifier.classifyClosedSet(pixels: frames, topK: topK)
                                 : try classifier.classify(pixels: frames, labels: labels, topK: topK)
            }
        }
        struct Entry: Encodable { let label: String; let score: Float; let logit: Float }
        struct Output: Encodable { let model: String; let model_type: String; let top_k: [Entry]; let timings_ms: [String: Double] }
        func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15 }
        try JSONOutput.print(Output(model: model.directory, model_type: model.modelType,
                                    top_k: result.topK.map { Entry(label: $0.label, score: $0.score, logit: $0.logit) },
                                    timings_ms: ["load": ms(loadTime), "sample": ms(sampleTime), "inference": ms(inferenceTime)]))
    }

    /// The model's own label set, `labelset.json` in its directory.
    private func modelLabelSet(_ model: LoadedModel) throws -> LabelSet {
        let path = URL(fileURLWithPath: model.directory).appendingPathComponent("labelset.json").path
        guard FileManager.default.fileExists(atPath: path) else {
            throw CLIError(description: "\(model.directory) has no labelset.json of its own: give --labels, --labelset or --closed-set")
        }
        return try CLIError.wrap { try LabelSet.load(file: path) }
    }

    /// The frames `(V, T, 3, S, S)`: sampled from the video at the model's clip length, or read from --pixels.
    private func input(for model: LoadedModel) throws -> Tensor {
        guard let video else { return try CLIError.wrap { try NPY.read(URL(fileURLWithPath: pixels!)) } }
        let t = model.requiredFrames ?? frames ?? 8
        if let frames, frames != t {
            throw CLIError(description: "\(model.modelType) takes clips of exactly \(t) frames; --frames \(frames) was given")
        }
        FFmpegLibraries.logLevel = .quiet
        return try CLIError.wrap {
            let config = try PreprocessorConfig.load(directory: URL(fileURLWithPath: model.directory))
            return try VideoSampler().sample(.file(path: video), options: SamplingOptions(frames: t, views: ViewLayout(views)!),
                                             preprocessing: config).pixels
        }
    }
}
