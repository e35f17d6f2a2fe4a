/// Frames chosen by sampling, decoded to RGB at their displayed size and orientation, before
/// any resizing: for checking exactly which frames the sampler picked.
public struct SampledFrames: Sendable {
    /// `[clip][segment]`; a frame picked twice is the same object twice.
    public let frames: [[RGBImage]]
    /// `[clip][segment]`: the chosen times, in seconds.
    public let timestamps: [[Double]]
    /// `[clip][segment]`: the presentation times of the frames returned, in seconds.
    public let presentationTimes: [[Double]]
    public let video: VideoInfo
    public let timing: SamplingTiming
}
