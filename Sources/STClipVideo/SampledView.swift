/// One view of a sampled video: a temporal clip seen through a spatial crop.
public struct SampledView: Sendable, Equatable, Codable {
    /// The temporal clip, 0 ..< clips.
    public let clip: Int
    /// The spatial crop, 0 ..< crops (with 3 crops: start, centre, end of the longer side).
    public let crop: Int
    /// The times chosen in each of the T segments, in seconds on the video's own clock.
    public let timestamps: [Double]
    /// The presentation times of the frames returned for them, in seconds.
    public let presentationTimes: [Double]
}
