/// Turns one decoded RGB frame into the model's input crops as transformers'
/// `CLIPImageProcessor` / `VideoMAEImageProcessor` (PIL backend) would: resize the 8-bit image
/// with PIL's filter, crop, then `Float32(Float64(pixel) · rescale_factor)` and
/// `(x − mean) / std` in float32, written channel-first (CHW).
struct FramePreprocessor {
    /// Where the crops of one frame size lie.
    struct Geometry: Equatable {
        /// The size after resizing (the input size when `do_resize` is off).
        let resizedWidth: Int, resizedHeight: Int
        /// The size of every crop, which is the size written per view.
        let outWidth: Int, outHeight: Int
        /// Each crop's top-left corner in the resized image; may be negative, or reach past the
        /// image, when the crop is larger than it: those pixels are zero, as transformers pads.
        let origins: [(x: Int, y: Int)]
        /// The part of the resized image the crops cover; only it is computed.
        let columns: Range<Int>, rows: Range<Int>

        static func == (a: Geometry, b: Geometry) -> Bool {
            (a.resizedWidth, a.resizedHeight, a.outWidth, a.outHeight) == (b.resizedWidth, b.resizedHeight, b.outWidth, b.outHeight)
                && a.origins.map(\.x) == b.origins.map(\.x) && a.origins.map(\.y) == b.origins.map(\.y)
        }
    }

    let config: PreprocessorConfig
    /// 1: the centre crop; 3: start, centre and end along the longer side (top/centre/bottom for
    /// portrait frames, left/centre/right for landscape ones).
    let crops: Int
    /// Per channel, the float written for each 8-bit value.
    private let table: [[Float]]

    init(config: PreprocessorConfig, crops: Int) throws(VideoError) {
        guard crops == 1 || crops == 3 else { throw .invalidRequest(detail: "\(crops) spatial crops (1 or 3 are supported)") }
        guard config.imageMean.count == 3, config.imageStd.count == 3, config.imageStd.allSatisfy({ $0 != 0 && $0.isFinite }) else {
            throw .invalidRequest(detail: "image_mean and image_std need three values and a non-zero std")
        }
        self.config = config
        self.crops = crops
        table = (0..<3).map { c in
            (0..<256).map { v in
                var x = config.doRescale ? Float(Double(v) * config.rescaleFactor) : Float(v)
                if config.doNormalize { x = (x - Float(config.imageMean[c])) / Float(config.imageStd[c]) }
                return x
            }
        }
    }

    /// Python's `a // b` for a positive divisor: rounds toward −∞.
    private static func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Largest resized image (pixels) and largest output per view (pixels): a frame of extreme
    /// aspect ratio must not turn a small crop request into gigabytes.
    static let maxResizedPixels = 1 << 26
    static let maxOutputPixels = 1 << 24

    /// Sizes and crop positions for a `width` × `height` frame (after rotation).
    func geometry(width: Int, height: Int) throws(VideoError) -> Geometry {
        var rw = width, rh = height
        if config.doResize {
            switch config.size {
            case let .shortestEdge(s):
                // transformers' get_resize_output_image_size: int(size · long / short), truncated.
                if width <= height {
                    (rw, rh) = (s, Int(min(1e9, Double(s) * Double(height) / Double(width))))
                } else {
                    (rw, rh) = (Int(min(1e9, Double(s) * Double(width) / Double(height))), s)
                }
            case let .exact(h, w):
                (rw, rh) = (w, h)
            }
        }
        guard rw >= 1, rh >= 1, rw * rh <= Self.maxResizedPixels else {
            throw .tooLarge(detail: "a \(width)×\(height) frame resizes to \(rw)×\(rh) (limit \(Self.maxResizedPixels) pixels)")
        }
        let cropping = config.doCenterCrop || crops == 3
        let (cw, ch) = cropping ? (config.cropWidth, config.cropHeight) : (rw, rh)
        guard cw * ch <= Self.maxOutputPixels else {
            throw .tooLarge(detail: "\(cw)×\(ch) output per view (limit \(Self.maxOutputPixels) pixels)")
        }
        let centre = (x: Self.floorDiv(rw - cw, 2), y: Self.floorDiv(rh - ch, 2))
        let origins: [(x: Int, y: Int)]
        if crops == 1 {
            origins = [centre]
        } else if rw >= rh {
            origins = [(0, centre.y), centre, (rw - cw, centre.y)]
        } else {
            origins = [(centre.x, 0), centre, (centre.x, rh - ch)]
        }
        let x0 = max(0, origins.map(\.x).min()!), x1 = min(rw, origins.map { $0.x + cw }.max()!)
        let y0 = max(0, origins.map(\.y).min()!), y1 = min(rh, origins.map { $0.y + ch }.max()!)
        return Geometry(resizedWidth: rw, resizedHeight: rh, outWidth: cw, outHeight: ch, origins: origins,
                        columns: x0 < x1 ? x0..<x1 : 0..<rw, rows: y0 < y1 ? y0..<y1 : 0..<rh)
    }

    /// Train mode's geometry: `geometry(width:height:)` with the whole resized frame as the window,
    /// since a multi-scale crop may lie anywhere in it.
    func trainGeometry(width: Int, height: Int) throws(VideoError) -> Geometry {
        let g = try geometry(width: width, height: height)
        return Geometry(resizedWidth: g.resizedWidth, resizedHeight: g.resizedHeight, outWidth: g.outWidth,
                        outHeight: g.outHeight, origins: [(0, 0)], columns: 0..<g.resizedWidth, rows: 0..<g.resizedHeight)
    }

    /// Writes `crop`'s box of `window` (the whole resized frame, from `trainGeometry`), resized to the
    /// output size with the configured filter, to `out` as 3 × outHeight × outWidth floats.
    func write(multiScale crop: MultiScaleCrop, of window: RGBImage, _ g: Geometry, to out: UnsafeMutablePointer<Float>) {
        let b = crop.box(width: g.resizedWidth, height: g.resizedHeight)
        let boxed = RGBImage(width: b.width, height: b.height)
        for y in 0..<b.height { boxed.row(y).update(from: window.row(b.y + y) + 3 * b.x, count: 3 * b.width) }
        let scaled = PILResize.resize(boxed, width: g.outWidth, height: g.outHeight, filter: config.resample)
        let whole = Geometry(resizedWidth: g.outWidth, resizedHeight: g.outHeight, outWidth: g.outWidth, outHeight: g.outHeight,
                             origins: [(0, 0)], columns: 0..<g.outWidth, rows: 0..<g.outHeight)
        write(crop: 0, of: scaled, whole, to: out)
    }

    /// The resized window (`geometry.columns` × `geometry.rows`) of `image`.
    func resized(_ image: RGBImage, _ g: Geometry) -> RGBImage {
        // With no size change this copies the window, so callers always index the window.
        return PILResize.resize(image, width: g.resizedWidth, height: g.resizedHeight, filter: config.resample,
                                columns: g.columns, rows: g.rows)
    }

    /// Writes crop `crop` of `window` (the resized window from `resized`) to `out` as
    /// 3 × outHeight × outWidth floats.
    func write(crop: Int, of window: RGBImage, _ g: Geometry, to out: UnsafeMutablePointer<Float>) {
        let origin = g.origins[crop]
        let plane = g.outWidth * g.outHeight
        // Window-relative offset of the crop, and the columns of the crop that fall in the image.
        let dx = origin.x - g.columns.lowerBound
        let firstX = max(0, -origin.x), endX = min(g.outWidth, g.resizedWidth - origin.x)
        for c in 0..<3 {
            table[c].withUnsafeBufferPointer { lut in
                let pad = lut[0]
                for y in 0..<g.outHeight {
                    let dst = out + c * plane + y * g.outWidth
                    let sy = origin.y + y
                    guard sy >= 0, sy < g.resizedHeight, firstX < endX else {
                        dst.initialize(repeating: pad, count: g.outWidth)
                        continue
                    }
                    let src = window.row(sy - g.rows.lowerBound) + c
                    for x in 0..<firstX { dst[x] = pad }
                    for x in firstX..<endX { dst[x] = lut[Int(src[3 * (x + dx)])] }
                    for x in endX..<g.outWidth { dst[x] = pad }
                }
            }
        }
    }
}
