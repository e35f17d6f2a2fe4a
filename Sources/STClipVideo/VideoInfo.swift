/// What the sampler learnt about the input.
public struct VideoInfo: Sendable, Equatable, Codable {
    /// The demuxer's name, e.g. `"mov,mp4,m4a,3gp,3g2,mj2"`.
    public let container: String
    /// The video codec's name, e.g. `"h264"`.
    public let codec: String
    /// Frame size as displayed, after the rotation below.
    public let width: Int
    public let height: Int
    /// Clockwise degrees the frames were turned to display upright (0, 90, 180 or 270).
    public let rotation: Int
    /// Frames in the video stream, counted by the packet scan.
    public let frameCount: Int
    /// Seconds at which the first frame is presented (not always 0).
    public let startTime: Double
    /// Seconds from the first frame's presentation to the end of the last one's.
    public let duration: Double
}
