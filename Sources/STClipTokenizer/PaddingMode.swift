/// How ``CLIPTokenizer/encodeBatch(_:padTo:)`` pads the rows of a batch.
public enum PaddingMode: Sendable, Equatable {
    /// Pad every row to the longest row of the batch (transformers' `padding=True`).
    case longest
    /// Pad every row to ``CLIPTokenizer/maxLength`` (transformers' `padding="max_length"`).
    case maxLength
}
