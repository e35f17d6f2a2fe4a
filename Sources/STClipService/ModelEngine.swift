import Foundation
import STClipModels
import STClipRuntime
import STClipVideo

/// The real engine: a checkpoint loaded with `LoadedModel`, its `Classifier`, and the FFmpeg
/// sampler set up from the checkpoint's `preprocessor_config.json`.
public final class ModelEngine: InferenceEngine {
    public let info: ModelInfo
    private let classifier: Classifier
    private let sampler: VideoSampler
    private let preprocessing: PreprocessorConfig
    /// exp(logit_scale): logits divided by it are cosine similarities.
    private let similarityScale: Float

    /// Loads and checks the model in `directory`; blocking (reads and hashes the weights).
    public init(directory: String, limits: VideoLimits, decoderThreads: Int) throws(ServiceStartupError) {
        let model: LoadedModel
        do { model = try LoadedModel.load(directory: directory) } catch {
            throw .model(String(describing: error))
        }
        do { preprocessing = try PreprocessorConfig.load(directory: URL(fileURLWithPath: directory)) } catch {
            throw .model(String(describing: error))
        }
        guard preprocessing.cropHeight == model.imageSize, preprocessing.cropWidth == model.imageSize else {
            throw .model("\(directory): preprocessor_config.json crops \(preprocessing.cropWidth)×\(preprocessing.cropHeight) "
                         + "but the vision tower takes \(model.imageSize)×\(model.imageSize)")
        }
        let logitScale: Float
        switch model.network {
        case .clip(let m): logitScale = m.logitScale
        case .xclip(let m): logitScale = m.logitScale
        case .stas(let m): logitScale = m.logitScale
        }
        let fixedFrames = model.requiredFrames
        similarityScale = Float(Foundation.exp(Double(logitScale)))
        info = ModelInfo(id: try ModelIdentity.compute(directory: directory), type: model.modelType,
                         embeddingDimension: model.embeddingDimension, defaultFrames: fixedFrames ?? 8, fixedFrames: fixedFrames)
        classifier = Classifier(model: model)
        sampler = VideoSampler(limits: limits, decoderThreads: decoderThreads)
    }

    public func sample(_ video: VideoSource, options: SamplingOptions, timeBudget: Double) throws -> VideoSample {
        var sampler = self.sampler
        sampler.limits.decodeTimeBudget = min(sampler.limits.decodeTimeBudget, timeBudget)
        let sampled = try sampler.sample(video, options: options, preprocessing: preprocessing)
        let v = sampled.video
        return VideoSample(pixels: sampled.pixels,
                           views: sampled.views.map { ViewTimestamps(clip: $0.clip, crop: $0.crop, timestamps: $0.presentationTimes) },
                           video: VideoSummary(codec: v.codec, width: v.width, height: v.height, duration: v.duration, frameCount: v.frameCount),
                           decodeSeconds: sampled.timing.totalSeconds)
    }

    public func textEmbeddings(_ texts: [String]) throws -> [[Float]] {
        guard !texts.isEmpty else { return [] }
        let p = info.embeddingDimension
        let rows = try classifier.model.textEmbeddings(texts)
        return (0..<texts.count).map { Array(rows.buffer[($0 * p)..<($0 * p + p)]) }
    }

    /// Keyed by the mode the texts actually are: a class without descriptions in the
    /// `descriptions` or `all` mode averages its templates alone and is stored as `templates`.
    public func embeddingKey(for definition: ClassDefinition, mode: ClassEmbeddingMode) -> String {
        let effective = mode.effective(for: definition)
        return ClassEmbeddingKey.make(mode: effective, texts: encoder().texts(for: definition, mode: effective).texts)
    }

    public func classEmbeddings(_ classes: [ClassDefinition], mode: ClassEmbeddingMode) throws -> [[Float]] {
        guard !classes.isEmpty else { return [] }
        // Names only label the rows; numbering them keeps two sets' same-named classes apart.
        let numbered = classes.enumerated().map { ClassDefinition(name: String($0.offset), text: $0.element.text, descriptions: $0.element.descriptions) }
        let scaled = try encoder().embeddings(for: numbered, mode: mode).scaledTensor()
        let p = info.embeddingDimension
        return (0..<classes.count).map { Array(scaled.buffer[($0 * p)..<($0 * p + p)]) }
    }

    /// A fresh encoder per call: the label store keeps the results, so an in-memory cache would
    /// only grow.
    private func encoder() -> ClassTextEncoder {
        ClassTextEncoder(model: classifier.model, modelID: info.id)
    }

    public func classify(_ video: VideoSample, labels: [String], embeddings: [[Float]], topK: Int) throws -> [RankedLabel] {
        let p = info.embeddingDimension
        guard embeddings.count == labels.count, embeddings.allSatisfy({ $0.count == p }) else {
            throw ModelError.badInputShape(name: "class_embeddings", shape: [embeddings.count, embeddings.first?.count ?? 0],
                                           expected: "one \(p)-wide row per label")
        }
        let text = Tensor(uninitialized: [labels.count, p])
        for (i, row) in embeddings.enumerated() {
            row.withUnsafeBufferPointer { (text.data + i * p).update(from: $0.baseAddress!, count: p) }
        }
        let result = try classifier.classify(pixels: video.pixels, classEmbeddings: text, labels: labels, topK: topK)
        return result.topK.map { RankedLabel(label: $0.label, score: $0.score, similarity: $0.logit / similarityScale) }
    }
}
