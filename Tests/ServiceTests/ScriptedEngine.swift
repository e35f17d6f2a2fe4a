import Foundation
import STClipModels
import STClipRuntime
import STClipService
import STClipVideo
import Synchronization

/// An engine whose decoding just sleeps for `decodeSeconds` (any non-empty upload is a
/// "video"), for tests of queueing, deadlines and shutdown that need slow, predictable jobs. It
/// counts the decodes it started and finished.
final class ScriptedEngine: InferenceEngine {
    let info = ModelInfo(id: "sha256:" + String(repeating: "0", count: 64), type: "clip", embeddingDimension: 4,
                         defaultFrames: 2, fixedFrames: nil)
    let decodeSeconds: Double
    private let counts = Mutex<(started: Int, finished: Int)>((0, 0))

    init(decodeSeconds: Double) {
        self.decodeSeconds = decodeSeconds
    }

    var started: Int { counts.withLock { $0.started } }
    var finished: Int { counts.withLock { $0.finished } }

    func sample(_ video: VideoSource, options: SamplingOptions, timeBudget: Double) throws -> VideoSample {
        counts.withLock { $0.started += 1 }
        Thread.sleep(forTimeInterval: decodeSeconds)
        counts.withLock { $0.finished += 1 }
        return VideoSample(pixels: Tensor(zeros: [1, options.frames, 3, 2, 2]),
                           views: [ViewTimestamps(clip: 0, crop: 0, timestamps: Array(repeating: 0, count: options.frames))],
                           video: VideoSummary(codec: "none", width: 2, height: 2, duration: 1, frameCount: options.frames),
                           decodeSeconds: decodeSeconds)
    }

    func textEmbeddings(_ texts: [String]) throws -> [[Float]] {
        texts.map { text in (0..<4).map { Float((text.unicodeScalars.first?.value ?? 0) % 7) + Float($0) } }
    }

    func embeddingKey(for definition: ClassDefinition, mode: ClassEmbeddingMode) -> String {
        "\(mode):\(definition.text)"
    }

    func classEmbeddings(_ classes: [ClassDefinition], mode: ClassEmbeddingMode) throws -> [[Float]] {
        try textEmbeddings(classes.map(\.text))
    }

    func classify(_ video: VideoSample, labels: [String], embeddings: [[Float]], topK: Int) throws -> [RankedLabel] {
        labels.prefix(topK).enumerated().map { RankedLabel(label: $1, score: 1 / Float(labels.count), similarity: 0.5 - 0.1 * Float($0)) }
    }
}
