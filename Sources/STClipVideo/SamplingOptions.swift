/// What to sample: how many frames per clip, how many clips and crops, and how to place them.
public struct SamplingOptions: Sendable, Equatable {
    /// Frames per clip (T): the video is cut into T equal segments of presentation time, one
    /// frame from each.
    public var frames: Int
    /// How many temporal clips and spatial crops make the views.
    public var views: ViewLayout
    /// Where in each segment the frame is taken.
    public var mode: SamplingMode

    public init(frames: Int, views: ViewLayout = .oneByOne, mode: SamplingMode = .test) {
        self.frames = frames
        self.views = views
        self.mode = mode
    }
}

/// Temporal clips × spatial crops. Views are ordered clip-major: view `c · crops + s` is clip `c`
/// seen through crop `s`.
public enum ViewLayout: Sendable, Equatable, CustomStringConvertible {
    /// One clip, one centre crop.
    case oneByOne
    /// Four clips × three crops along the long side (X-CLIP's test protocol).
    case fourByThree
    /// `clips` temporal clips × `crops` spatial crops; `crops` is 1 (centre) or 3 (start, centre, end).
    case custom(clips: Int, crops: Int)

    public var clips: Int {
        switch self {
        case .oneByOne: return 1
        case .fourByThree: return 4
        case let .custom(clips, _): return clips
        }
    }

    public var crops: Int {
        switch self {
        case .oneByOne: return 1
        case .fourByThree: return 3
        case let .custom(_, crops): return crops
        }
    }

    /// clips × crops.
    public var count: Int { clips * crops }

    public var description: String { "\(clips)x\(crops)" }

    /// Parses `"1x1"`, `"4x3"` or `"CxS"` with S in {1, 3}.
    public init?(_ text: String) {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let c = Int(parts[0]), let s = Int(parts[1]), c >= 1, s == 1 || s == 3 else { return nil }
        switch (c, s) {
        case (1, 1): self = .oneByOne
        case (4, 3): self = .fourByThree
        default: self = .custom(clips: c, crops: s)
        }
    }
}

/// Where a frame is taken inside each of the T segments of a clip.
public enum SamplingMode: Sendable, Equatable {
    /// Evaluation: clip `c` of `C` takes the point `(c + ½)/C` of the way through each segment, so
    /// a single clip takes each segment's centre.
    case test
    /// Training: a uniformly random point in each segment and a random multi-scale crop per clip
    /// (`MultiScaleCrop`), from a generator seeded with `seed` (the same seed gives the same points
    /// and boxes on every platform and in Training/stasclip/sampling.py). Needs one spatial crop.
    case train(seed: UInt64)
}
