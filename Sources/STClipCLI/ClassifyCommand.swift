import ArgumentParser
import Foundation
import STClipModels
import STClipRuntime

/// `stclip classify --model DIR --pixels FILE.npy (--labels TEXT... | --closed-set) [--top-k K]` → the best labels.
struct ClassifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "classify", abstract: "Zero-shot top-k labels of a video.")

    @OptionGroup var options: ModelOptions

    @Option(help: "A .npy file of float32 preprocessed frames, (T, 3, H, W) or (views, T, 3, H, W).")
    var pixels: String

    @Option(parsing: .upToNextOption, help: "The candidate labels (class texts).")
    var labels: [String] = []

    @Flag(help: "Use stas-clip's closed-set auxiliary head over the classes it was trained on instead of --labels.")
    var closedSet = false

    @Option(name: .customLong("top-k"), help: "How many labels to return (1–100).")
    var topK = 5

    func validate() throws {
        guard (1...100).contains(topK) else { throw ValidationError("--top-k must be between 1 and 100") }
        guard closedSet != !labels.isEmpty else { throw ValidationError("give either --labels (at least one) or --closed-set") }
    }

    func run() throws {
        let clock = ContinuousClock()
        var loadTime = Duration.zero, inferenceTime = Duration.zero
        var model: LoadedModel!
        loadTime = try clock.measure { model = try options.load() }
        let frames = try CLIError.wrap { try NPY.read(URL(fileURLWithPath: pixels)) }
        let classifier = Classifier(model: model)
        var result: Classification!
        inferenceTime = try clock.measure {
            result = try CLIError.wrap {
                closedSet ? try classifier.classifyClosedSet(pixels: frames, topK: topK)
                          : try classifier.classify(pixels: frames, labels: labels, topK: topK)
            }
        }
        struct Entry: Encodable { let label: String; let score: Float; let logit: Float }
        struct Output: Encodable { let model: String; let model_type: String; let top_k: [Entry]; let timings_ms: [String: Double] }
        func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) / 1e15 }
        try JSONOutput.print(Output(model: model.directory, model_type: model.modelType,
                                    top_k: result.topK.map { Entry(label: $0.label, score: $0.score, logit: $0.logit) },
                                    timings_ms: ["load": ms(loadTime), "inference": ms(inferenceTime)]))
    }
}
