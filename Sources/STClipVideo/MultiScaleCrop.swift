/// One clip's train-mode crop (TSN's multi-scale crop, seed section 4.2: crop sides {256, 224, 192,
/// 168} → 224): a width and a height scale, at most one step apart, of the resized frame's short
/// side, at a random position; the box is then resized to the crop size. Drawn before the frame size
/// is known, so it holds units, not pixels. Training/stasclip/sampling.py draws the same boxes.
struct MultiScaleCrop: Equatable {
    /// The crop sides as fractions ×256 of the resized short side.
    static let scales = [256, 224, 192, 168]
    /// (width scale, height scale) index pairs at most one step apart, row-major.
    static let pairs: [(Int, Int)] = (0..<4).flatMap { i in (0..<4).filter { j in abs(i - j) <= 1 }.map { j in (i, j) } }

    /// Index into `pairs`.
    let pair: Int
    /// Units in [0, 1) for the x and the y offset.
    let fx: Double, fy: Double

    /// Draws pair, x and y from `generator`, in that order.
    init(drawingFrom generator: inout SplitMix64) {
        pair = min(Self.pairs.count - 1, Int(generator.nextUnit() * Double(Self.pairs.count)))
        fx = generator.nextUnit()
        fy = generator.nextUnit()
    }

    /// The box `(x, y, w, h)` in a `width` × `height` resized frame.
    func box(width: Int, height: Int) -> (x: Int, y: Int, width: Int, height: Int) {
        let short = min(width, height)
        let (i, j) = Self.pairs[pair]
        let w = max(1, short * Self.scales[i] / 256), h = max(1, short * Self.scales[j] / 256)
        return (Int(fx * Double(width - w + 1)), Int(fy * Double(height - h + 1)), w, h)
    }
}
