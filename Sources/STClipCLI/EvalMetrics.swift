/// Top-1 / top-5 accuracy, per-class accuracy and confusions, accumulated video by video from each
/// video's true class and its ranking of the classes.
struct EvalMetrics {
    /// A true class and the class predicted instead of it.
    struct Confusion: Hashable {
        let truth: Int
        let predicted: Int
    }

    let classCount: Int
    /// The k of "top-k": 5, or the number of classes when there are fewer.
    let k: Int
    private(set) var evaluated = 0
    private(set) var top1Hits = 0
    private(set) var topKHits = 0
    private(set) var videosPerClass: [Int]
    private(set) var hitsPerClass: [Int]
    private(set) var confusions: [Confusion: Int] = [:]

    init(classCount: Int) {
        self.classCount = classCount
        k = min(5, classCount)
        videosPerClass = Array(repeating: 0, count: classCount)
        hitsPerClass = Array(repeating: 0, count: classCount)
    }

    /// Counts one video of class `truth` whose classes ranked `ranked`, best first (at least k of them).
    mutating func record(truth: Int, ranked: [Int]) {
        precondition(ranked.count >= k && (0..<classCount).contains(truth), "a ranking of at least \(k) classes")
        evaluated += 1
        videosPerClass[truth] += 1
        if ranked[0] == truth {
            top1Hits += 1
            hitsPerClass[truth] += 1
        } else {
            confusions[Confusion(truth: truth, predicted: ranked[0]), default: 0] += 1
        }
        if ranked.prefix(k).contains(truth) { topKHits += 1 }
    }

    /// The fraction of videos whose best class is right; nil before any video.
    var top1: Double? { evaluated == 0 ? nil : Double(top1Hits) / Double(evaluated) }

    /// The fraction of videos whose class is among the best k; nil before any video.
    var topK: Double? { evaluated == 0 ? nil : Double(topKHits) / Double(evaluated) }

    /// The top-1 accuracy of class `c`; nil when the list has no video of it.
    func accuracy(ofClass c: Int) -> Double? {
        videosPerClass[c] == 0 ? nil : Double(hitsPerClass[c]) / Double(videosPerClass[c])
    }

    /// The mean over the classes that have videos of their top-1 accuracy, so that large classes do
    /// not hide poor small ones; nil before any video.
    var meanClassAccuracy: Double? {
        let accuracies = (0..<classCount).compactMap(accuracy(ofClass:))
        return accuracies.isEmpty ? nil : accuracies.reduce(0, +) / Double(accuracies.count)
    }

    /// The `n` most frequent confusions, most frequent first; ties by class order.
    func mostConfused(_ n: Int) -> [(confusion: Confusion, count: Int)] {
        confusions.map { ($0.key, $0.value) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : ($0.0.truth, $0.0.predicted) < ($1.0.truth, $1.0.predicted) }
            .prefix(max(0, n)).map { (confusion: $0.0, count: $0.1) }
    }
}
