import Foundation
import STClipRuntime

/// Zero-shot classification with any loaded family behind one interface: encode a sampled video
/// (V views × T frames), score it against class texts, softmax, average the views, rank.
///
/// Class text embeddings are cached per text (for X-CLIP the embeddings before the video-specific
/// prompt, which is applied per request). Safe to call from several threads.
public final class Classifier: @unchecked Sendable {
    public let model: LoadedModel
    private let lock = NSLock()
    private var textCache: [String: [Float]] = [:]  // guarded by `lock`

    public init(model: LoadedModel) {
        self.model = model
    }

    /// The class texts' embeddings `(C, P)`, computing only those not cached yet.
    public func classEmbeddings(_ labels: [String]) throws -> Tensor {
        let p = model.embeddingDimension
        let missing = lock.withLock { Array(Set(labels.filter { textCache[$0] == nil })) }.sorted()
        if !missing.isEmpty {
            let computed = try model.textEmbeddings(missing)                       // (M, P)
            lock.withLock {
                for (i, label) in missing.enumerated() { textCache[label] = Array(computed.buffer[(i * p)..<(i * p + p)]) }
            }
        }
        let out = Tensor(uninitialized: [labels.count, p])
        lock.withLock {
            for (i, label) in labels.enumerated() {
                textCache[label]!.withUnsafeBufferPointer { (out.data + i * p).update(from: $0.baseAddress!, count: p) }
            }
        }
        return out
    }

    /// Scores every view of a video `(V, T, 3, S, S)` (or one view `(T, 3, S, S)`) against
    /// `labels`; the X-CLIP protocol averages the views' softmax probabilities.
    public func classify(pixels: Tensor, labels: [String], topK k: Int) throws -> Classification {
        guard !labels.isEmpty else {
            throw ModelError.badInputShape(name: "labels", shape: [0], expected: "at least one label")
        }
        return try classify(pixels: pixels, classEmbeddings: try classEmbeddings(labels), labels: labels, topK: k)
    }

    /// The labels of the closed-set auxiliary head, when the model has one (stas-clip).
    public var closedSetLabels: [String]? {
        guard case .stas(let m) = model.network, m.config.auxHead != .none else { return nil }
        return m.config.auxLabels
    }

    /// stas-clip's auxiliary head over the classes it was trained on: its probabilities averaged
    /// over views. `logit` holds log-probabilities, since the head ends in a softmax.
    public func classifyClosedSet(pixels: Tensor, topK k: Int) throws -> Classification {
        guard case .stas(let m) = model.network, let labels = closedSetLabels else {
            throw ModelError.invalidConfig(path: model.directory, detail: "\(model.modelType) model has no closed-set auxiliary head")
        }
        let views = pixels.rank == 4 ? pixels.reshaped([1] + pixels.shape) : pixels
        let probabilities = m.auxiliary(try m.video(views))!.probabilities        // (V, K)
        let v = views.shape[0], c = labels.count
        var mean = [Float](repeating: 0, count: c)
        for i in 0..<v { for j in 0..<c { mean[j] += probabilities.data[i * c + j] / Float(v) } }
        let logs = mean.map { Float(Foundation.log(Double($0))) }
        let ranked = (0..<c).sorted { mean[$0] != mean[$1] ? mean[$0] > mean[$1] : $0 < $1 }
        return Classification(topK: ranked.prefix(max(0, k)).map { .init(label: labels[$0], score: mean[$0], logit: logs[$0]) },
                              scores: mean, logits: logs)
    }

    /// views `(V, T, 3, S, S)`, text `(C, P)` → logits `(V, C)`.
    func viewLogits(_ views: Tensor, text: Tensor) throws -> Tensor {
        let v = views.shape[0]
        switch model.network {
        case .clip(let m):
            let t = views.shape[1]
            let frames = try m.imageFeatures(views.reshaped([v * t] + views.shape.dropFirst(2)))   // (V·T, P)
            let video = MultiframeIntegration.meanOverFrames(frames, clips: v, frames: t)        // (V, P)
            return Similarity.logits(video, text, logitScale: m.logitScale)
        case .xclip(let m):
            let out = try m.video(views)
            return m.logits(video: out.videoEmbeds, textPerVideo: m.promptedText(text, visual: m.promptVisual(out)))
        case .stas(let m):
            return m.logits(video: try m.videoFeatures(views).videoEmbeds, text: text)
        }
    }
}
