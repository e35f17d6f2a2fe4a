/// TSN segment sampling by presentation time: the span `[start, start + duration)` is cut into
/// `frames` equal segments and one time is taken in each — so variable frame rates sample evenly
/// in time, not in frame count.
enum SegmentSampler {
    /// The chosen times in seconds, `[clip][segment]`.
    ///
    /// Test mode: clip `c` of `C` takes `start + (k + (c + ½)/C) · duration/T` in segment `k`.
    /// Train mode: `start + (k + u) · duration/T` with `u` uniform in [0, 1) from SplitMix64
    /// seeded with `seed`, drawn clip by clip, segment by segment; then, from the same generator,
    /// one multi-scale crop per clip. Test mode draws no crops.
    static func draw(start: Double, duration: Double, frames: Int, clips: Int,
                     mode: SamplingMode) -> (times: [[Double]], crops: [MultiScaleCrop]) {
        let segment = duration / Double(frames)
        switch mode {
        case .test:
            let times = (0..<clips).map { c in
                (0..<frames).map { k in start + (Double(k) + (Double(c) + 0.5) / Double(clips)) * segment }
            }
            return (times, [])
        case let .train(seed):
            var generator = SplitMix64(seed: seed)
            let times = (0..<clips).map { _ in
                (0..<frames).map { k in start + (Double(k) + generator.nextUnit()) * segment }
            }
            return (times, (0..<clips).map { _ in MultiScaleCrop(drawingFrom: &generator) })
        }
    }
}
