/// The answer to "which of these labels does this video show?".
public struct Classification: Sendable, Equatable {
    /// One ranked label.
    public struct Entry: Sendable, Equatable {
        public let label: String
        /// Softmax probability over all given labels, averaged over views.
        public let score: Float
        /// cos(video, label) · exp(logit_scale), averaged over views.
        public let logit: Float
    }

    /// The best `k` labels, best first.
    public let topK: [Entry]
    /// Every label's averaged probability, in the order the labels were given.
    public let scores: [Float]
    /// Every label's averaged logit, in the order the labels were given.
    public let logits: [Float]
}
