extension RGBImage {
    /// This image turned clockwise by `degrees` (0, 90, 180 or 270); `self` when 0.
    func rotated(clockwise degrees: Int) -> RGBImage {
        switch degrees {
        case 90:
            // out(x, y) = in(y, h − 1 − x): the left column, read bottom-up, becomes the top row.
            let out = RGBImage(width: height, height: width)
            for y in 0..<out.height {
                let dst = out.row(y)
                for x in 0..<out.width { copyPixel(from: row(height - 1 - x) + 3 * y, to: dst + 3 * x) }
            }
            return out
        case 270:
            // out(x, y) = in(w − 1 − y, x): the right column, read top-down, becomes the top row.
            let out = RGBImage(width: height, height: width)
            for y in 0..<out.height {
                let dst = out.row(y)
                for x in 0..<out.width { copyPixel(from: row(x) + 3 * (width - 1 - y), to: dst + 3 * x) }
            }
            return out
        case 180:
            let out = RGBImage(width: width, height: height)
            for y in 0..<height {
                let src = row(height - 1 - y), dst = out.row(y)
                for x in 0..<width { copyPixel(from: src + 3 * (width - 1 - x), to: dst + 3 * x) }
            }
            return out
        default:
            return self
        }
    }

    @inline(__always)
    private func copyPixel(from src: UnsafeMutablePointer<UInt8>, to dst: UnsafeMutablePointer<UInt8>) {
        dst[0] = src[0]
        dst[1] = src[1]
        dst[2] = src[2]
    }
}
