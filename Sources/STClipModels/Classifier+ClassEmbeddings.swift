import STClipRuntime

extension Classifier {
    /// Scores a video `(V, T, 3, S, S)` (or one view `(T, 3, S, S)`) against precomputed class
    /// embeddings, as `classify(pixels:labels:topK:)` does against class texts: softmax over the
    /// classes per view, probabilities averaged over views.
    ///
    /// The rows are given at the scale of raw text embeddings (`scaledTensor()`): cosine scoring does
    /// not see the scale, but X-CLIP's prompt generator adds to the raw text features.
    public func classify(pixels: Tensor, classes: ClassEmbeddings, topK k: Int) throws -> Classification {
        try classify(pixels: pixels, classEmbeddings: classes.scaledTensor(), labels: classes.names, topK: k)
    }

    /// Scores a video against a `(C, P)` class-embedding tensor whose rows are named by `labels`.
    public func classify(pixels: Tensor, classEmbeddings text: Tensor, labels: [String], topK k: Int) throws -> Classification {
        guard !labels.isEmpty else { throw ClassEmbeddingError.noClasses }
        guard text.rank == 2, text.shape[1] == model.embeddingDimension else {
            throw ClassEmbeddingError.dimensionMismatch(expected: model.embeddingDimension, got: text.shape.last ?? 0)
        }
        guard text.shape[0] == labels.count else {
            throw ClassEmbeddingError.labelCountMismatch(labels: labels.count, embeddings: text.shape[0])
        }
        let views = pixels.rank == 4 ? pixels.reshaped([1] + pixels.shape) : pixels
        guard views.rank == 5, views.shape[0] > 0 else {
            throw ModelError.badInputShape(name: "pixel_values", shape: pixels.shape, expected: "(views, frames, 3, size, size)")
        }
        let logits = try viewLogits(views, text: text)                             // (V, C)
        let v = logits.shape[0], c = labels.count
        let probabilities = logits.copy()
        Kernels.softmax(probabilities)
        var meanScores = [Float](repeating: 0, count: c), meanLogits = [Float](repeating: 0, count: c)
        for i in 0..<v {
            for j in 0..<c {
                meanScores[j] += probabilities.data[i * c + j] / Float(v)
                meanLogits[j] += logits.data[i * c + j] / Float(v)
            }
        }
        // Ties go to the earlier class, so a ranking is the same on every run.
        let ranked = (0..<c).sorted { meanScores[$0] != meanScores[$1] ? meanScores[$0] > meanScores[$1] : $0 < $1 }
        return Classification(
            topK: ranked.prefix(max(0, k)).map { .init(label: labels[$0], score: meanScores[$0], logit: meanLogits[$0]) },
            scores: meanScores, logits: meanLogits)
    }
}
