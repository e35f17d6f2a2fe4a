/// The text tower: its transformer, vocabulary and context length.
public struct TextSummary: Sendable, Equatable, Encodable {
    public let transformer: TransformerSummary
    public let vocabularySize: Int
    /// The longest token sequence, BOS and EOS included.
    public let context: Int

    enum CodingKeys: String, CodingKey {
        case transformer
        case vocabularySize = "vocab_size", context
    }
}
