import Foundation

/// What `stclip eval` reports, as JSON (`--json`) or as text. Accuracies are fractions in [0, 1].
struct EvalReport: Encodable {
    struct Videos: Encodable {
        let listed: Int
        let evaluated: Int
        let failed: Int
    }

    struct PerClass: Encodable {
        let label: String
        let videos: Int
        let top1: Double
    }

    struct ConfusedPair: Encodable {
        let label: String
        let predicted: String
        let count: Int
        /// count / the videos of `label`.
        let fraction: Double
    }

    struct Throughput: Encodable {
        let wall_seconds: Double
        let videos_per_second: Double
        let frames_per_second: Double
        /// Encoding the label set's texts (once per model).
        let class_text_seconds: Double
        /// Decoding and preprocessing, summed over videos (overlaps the model's time).
        let sampling_seconds: Double
        /// The video tower and scoring, summed over videos.
        let model_seconds: Double
    }

    struct Failure: Encodable {
        let line: Int
        let path: String
        let error: String
    }

    let model: String
    let model_type: String
    let label_set: String
    let classes: Int
    let mode: String
    let views: String
    let frames: Int
    let videos: Videos
    let top1: Double?
    let top5: Double?
    /// The k of `top5` when the label set has fewer than five classes.
    let top_k: Int
    let mean_class_accuracy: Double?
    let classes_evaluated: Int
    let per_class: [PerClass]
    let confused_pairs: [ConfusedPair]
    let throughput: Throughput
    let failures: [Failure]

    /// The report for people: the headline numbers, the confusions, the speed, the failures.
    var text: String {
        func percent(_ x: Double?) -> String { x.map { String(format: "%.2f%%", $0 * 100) } ?? "n/a" }
        var lines = [
            "stclip eval: \(label_set) (\(classes) classes, mode \(mode)), \(views) views × \(frames) frames, \(model_type) model \(model)",
            "videos: \(videos.evaluated) evaluated, \(videos.failed) failed, of \(videos.listed) listed",
            "top-1 \(percent(top1))   top-\(top_k) \(percent(top5))   mean class accuracy \(percent(mean_class_accuracy)) over \(classes_evaluated) classes",
        ]
        if !confused_pairs.isEmpty {
            lines.append("most confused (label → predicted):")
            for p in confused_pairs {
                lines.append(String(format: "  %5d  ", p.count) + "\(p.label) → \(p.predicted)" + String(format: "  (%.1f%% of its videos)", p.fraction * 100))
            }
        }
        lines.append(String(format: "throughput: %.2f videos/s, %.1f frames/s (%.2f s in all; class texts %.2f s, sampling %.2f s, model %.2f s)",
                            throughput.videos_per_second, throughput.frames_per_second, throughput.wall_seconds,
                            throughput.class_text_seconds, throughput.sampling_seconds, throughput.model_seconds))
        if !failures.isEmpty {
            lines.append("failed:")
            lines += failures.map { "  line \($0.line) \($0.path): \($0.error)" }
        }
        return lines.joined(separator: "\n")
    }
}
