import STClipRuntime

/// A video model's embeddings without the tokens only classification heads read: what
/// transformers' `get_video_features` returns, and the frame embeddings it pools.
public struct VideoFeatures: Sendable {
    /// One embedding per clip `(B, P)`.
    public let videoEmbeds: Tensor
    /// The projected class token of every frame `(B·T, P)`.
    public let frameEmbeds: Tensor
}
