import ArgumentParser
import Foundation
import STClipLabelSets
import STClipModels
import STClipRuntime
import STClipVideo

/// `stclip eval --model DIR --labelset NAME --list FILE [--views 1x1|4x3] [--frames T] [--json]`:
/// zero-shot accuracy of a model on a labelled list of videos — top-1 / top-5, mean class accuracy,
/// the most confused pairs and throughput.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a model on a list of labelled videos against a built-in label set.",
        discussion: """
            FILE has one "path<TAB>label" per line; relative paths are relative to FILE, "#" starts a comment \
            line. A label is a class name of the label set, or its text, in any case, with "_" for spaces. \
            Every line is checked before the first video is decoded. A video that fails to decode is reported \
            and left out of the accuracies.
            """)

    @OptionGroup var options: ModelOptions

    @Option(help: "The label set: \(BuiltinLabelSets.names.joined(separator: ", ")).")
    var labelset: String

    @Option(help: "The list of videos: path<TAB>label per line.")
    var list: String

    @Option(help: "Temporal clips × spatial crops: 1x1 or 4x3 (or CxS with S = 1 or 3).")
    var views: String = "1x1"

    @Option(help: "Frames per clip (default: what the model takes; 8 for CLIP).")
    var frames: Int?

    @Option(help: "Class embeddings from: name, templates, descriptions or all.")
    var mode: ClassEmbeddingMode = LabelSet.defaultMode

    @Option(help: "How many confused pairs to report.")
    var confusions: Int = 10

    @Option(help: "Decoder threads per video.")
    var decoderThreads: Int = 1

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        guard ViewLayout(views) != nil else { throw ValidationError("--views must look like 1x1 or 4x3") }
        if let frames { guard (1...1024).contains(frames) else { throw ValidationError("--frames must be between 1 and 1024") } }
        guard confusions >= 0 else { throw ValidationError("--confusions must be at least 0") }
        guard decoderThreads >= 1 else { throw ValidationError("--decoder-threads must be at least 1") }
    }

    func run() throws {
        FFmpegLibraries.logLevel = .quiet
        let labelSet = try CLIError.wrap { try BuiltinLabelSets.load(labelset) }
        let entries = try CLIError.wrap { try EvalList(path: list, labelSet: labelSet).items }
        let model = try options.load()
        let frames = try CLIError.wrap { try framesPerClip(model) }
        let preprocessing = try CLIError.wrap { try PreprocessorConfig.load(directory: URL(fileURLWithPath: model.directory)) }
        let layout = ViewLayout(views)!
        let sampling = SamplingOptions(frames: frames, views: layout)
        let sampler = VideoSampler(decoderThreads: decoderThreads)

        let clock = ContinuousClock()
        var classes: ClassEmbeddings!
        let textTime = try clock.measure { classes = try CLIError.wrap { try ClassTextEncoder(model: model).embeddings(for: labelSet.classes, mode: mode) } }
        let classifier = Classifier(model: model)
        let text = classes.scaledTensor()

        var metrics = EvalMetrics(classCount: labelSet.classes.count)
        var failures: [EvalReport.Failure] = []
        var samplingSeconds = 0.0, modelSeconds = 0.0
        let progress = ProgressBar(total: entries.count)
        let started = clock.now
        func prefetch(_ i: Int) -> VideoPrefetch {
            VideoPrefetch(sampler: sampler, path: entries[i].path, options: sampling, preprocessing: preprocessing)
        }
        var next = prefetch(0)
        for (i, entry) in entries.enumerated() {
            let (sampled, sampleTime) = next.wait()
            if i + 1 < entries.count { next = prefetch(i + 1) }   // decodes while the model runs below
            samplingSeconds += sampleTime
            do {
                let pixels = try sampled.get().pixels
                var result: Classification!
                modelSeconds += Self.seconds(try clock.measure {
                    result = try classifier.classify(pixels: pixels, classEmbeddings: text, labels: classes.names, topK: metrics.k)
                })
                let ranked = (0..<result.scores.count).sorted {
                    result.scores[$0] != result.scores[$1] ? result.scores[$0] > result.scores[$1] : $0 < $1
                }
                metrics.record(truth: entry.label, ranked: ranked)
            } catch {
                failures.append(.init(line: entry.line, path: entry.path, error: String(describing: error)))
            }
            progress.update(done: i + 1, elapsed: Self.seconds(clock.now - started), top1: metrics.top1)
        }
        progress.finish()
        let wall = Self.seconds(clock.now - started)
        guard metrics.evaluated > 0 else {
            throw CLIError(description: "no video could be evaluated; line \(failures[0].line) \(failures[0].path): \(failures[0].error)")
        }

        let names = labelSet.classNames
        let report = EvalReport(
            model: model.directory, model_type: model.modelType, label_set: labelSet.name, classes: names.count,
            mode: mode.rawValue, views: layout.description, frames: frames,
            videos: .init(listed: entries.count, evaluated: metrics.evaluated, failed: failures.count),
            top1: metrics.top1, top5: metrics.topK, top_k: metrics.k, mean_class_accuracy: metrics.meanClassAccuracy,
            classes_evaluated: metrics.videosPerClass.filter { $0 > 0 }.count,
            per_class: names.indices.compactMap { c in
                metrics.accuracy(ofClass: c).map { .init(label: names[c], videos: metrics.videosPerClass[c], top1: $0) }
            },
            confused_pairs: metrics.mostConfused(confusions).map {
                .init(label: names[$0.confusion.truth], predicted: names[$0.confusion.predicted], count: $0.count,
                      fraction: Double($0.count) / Double(metrics.videosPerClass[$0.confusion.truth]))
            },
            throughput: .init(wall_seconds: wall, videos_per_second: Double(metrics.evaluated) / wall,
                              frames_per_second: Double(metrics.evaluated * layout.count * frames) / wall,
                              class_text_seconds: Self.seconds(textTime), sampling_seconds: samplingSeconds, model_seconds: modelSeconds),
            failures: failures)
        if json {
            try JSONOutput.print(report)
        } else {
            print(report.text)
        }
        if !failures.isEmpty {
            FileHandle.standardError.write(Data("stclip eval: \(failures.count) of \(entries.count) videos could not be evaluated (listed under failures)\n".utf8))
        }
    }

    /// `--frames`, checked against what X-CLIP and stas-clip were built for (their temporal layers
    /// have one position per frame); CLIP's frame average takes any count and defaults to 8.
    private func framesPerClip(_ model: LoadedModel) throws(EvalError) -> Int {
        guard let required = model.requiredFrames else { return frames ?? 8 }
        if let frames, frames != required { throw .framesMismatch(modelType: model.modelType, required: required, given: frames) }
        return required
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
