import STClipRuntime

/// A video sampled and preprocessed for a model.
public struct SampledVideo: Sendable {
    /// float32 `(V, T, 3, H, W)`: views (clip-major: view `clip · crops + crop`), frames per clip,
    /// RGB channels, crop height and width, normalised per the preprocessor configuration.
    public let pixels: Tensor
    /// Per view, the chosen times and the frames' presentation times.
    public let views: [SampledView]
    public let video: VideoInfo
    public let timing: SamplingTiming
}
