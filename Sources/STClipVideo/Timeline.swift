import CFFmpeg

/// When each frame of the video stream is shown, learnt from a scan of its packets rather than
/// from the container's header (which may be missing or wrong): a packet's presentation
/// timestamp (or its decode timestamp where it has none) is the timestamp of the frame it decodes
/// to. Frame `i`'s display interval is `[time(i), time(i + 1))`; the last frame's ends at `end`.
struct Timeline {
    /// Presentation ticks of each packet in decode order; nil where it has no timestamp.
    let packetKeys: [Int64?]
    /// Whether each packet (decode order) may start decoding: a keyframe.
    let packetIsKeyframe: [Bool]
    /// Packets whose frames are shown, in display order (no discarded packets, one per timestamp).
    let shown: [Int]
    /// Presentation ticks of `shown`, strictly increasing.
    let shownKeys: [Int64]
    let secondsPerTick: Double
    /// Seconds at which the first frame is shown.
    let start: Double
    /// Seconds at which the last frame stops being shown.
    let end: Double
    /// For each packet, the latest keyframe packet at or before it (−1 if none).
    private let keyframeAtOrBefore: [Int]

    /// Seconds the video runs.
    var duration: Double { end - start }

    /// Builds the timeline, or nil if no shown packet carries a timestamp. `frameRate` (the
    /// stream's average) sizes the last frame's interval only when packets say nothing about it.
    init?(packets: [AVPacket], secondsPerTick: Double, frameRate: AVRational) {
        let none = stclip_nopts()
        let packetKeys = packets.map { p in p.pts != none ? p.pts : p.dts != none ? p.dts : nil }
        let isKeyframe = packets.map { $0.flags & AV_PKT_FLAG_KEY != 0 }
        var order = packets.indices.filter { packets[$0].flags & AV_PKT_FLAG_DISCARD == 0 && packetKeys[$0] != nil }
        // Stable by decode order, so that of two packets claiming one timestamp the first is used.
        order.sort { (packetKeys[$0]!, $0) < (packetKeys[$1]!, $1) }
        var shown: [Int] = [], keys: [Int64] = []
        for i in order where keys.last != packetKeys[i]! {
            shown.append(i)
            keys.append(packetKeys[i]!)
        }
        self.packetKeys = packetKeys
        packetIsKeyframe = isKeyframe
        guard let first = keys.first, let last = keys.last, secondsPerTick > 0 else { return nil }
        self.shown = shown
        shownKeys = keys
        self.secondsPerTick = secondsPerTick

        // The last frame lasts its packet's duration, else the typical gap between frames, else 1/fps.
        var lastTicks = Double(max(0, packets[shown.last!].duration))
        if lastTicks == 0 && keys.count > 1 {
            let gaps = zip(keys.dropFirst(), keys).map { $0 - $1 }.sorted()
            lastTicks = Double(gaps[gaps.count / 2])
        }
        if lastTicks == 0 && frameRate.num > 0 && frameRate.den > 0 {
            lastTicks = Double(frameRate.den) / Double(frameRate.num) / secondsPerTick
        }
        start = Double(first) * secondsPerTick
        end = (Double(last) + lastTicks) * secondsPerTick

        var latest = -1
        keyframeAtOrBefore = isKeyframe.enumerated().map { i, key in
            if key { latest = i }
            return latest
        }
    }

    /// Seconds at which shown frame `i` is presented.
    func time(_ i: Int) -> Double { Double(shownKeys[i]) * secondsPerTick }

    /// The shown frame whose display interval contains `seconds`: the last frame presented at or
    /// before it (to within a nanosecond, so that a time computed to land on a frame boundary does
    /// not fall to the frame before through rounding), or the first frame for earlier times.
    func frame(at seconds: Double) -> Int {
        var lo = 0, hi = shownKeys.count  // invariant: frames < lo start at or before `seconds`
        while lo < hi {
            let mid = (lo + hi) / 2
            if time(mid) <= seconds + 1e-9 { lo = mid + 1 } else { hi = mid }
        }
        return max(0, lo - 1)
    }

    /// The packet to start decoding at to reach shown frame `i`: the latest keyframe at or before
    /// its packet in decode order that is itself presented no later than the frame (so leading
    /// pictures of an open GOP start from the keyframe before); the first packet if none is.
    func startPacket(forShown i: Int) -> Int {
        let target = shown[i], key = shownKeys[i]
        var s = keyframeAtOrBefore[target]
        while s > 0, let k = packetKeys[s], k > key { s = keyframeAtOrBefore[s - 1] }
        return max(0, s)
    }
}
