/// A packed 8-bit RGB image (R, G, B per pixel, rows `stride` bytes apart), the form frames take
/// between decoding and preprocessing and the form PIL resizes.
public final class RGBImage: @unchecked Sendable {
    public let width: Int
    public let height: Int
    /// Bytes from one row to the next: `3 · width` rounded up to 64 so rows start aligned.
    public let stride: Int
    /// The first byte of row 0. Written only by the code that made the image.
    public let pixels: UnsafeMutablePointer<UInt8>

    /// An image with unspecified contents, for code that writes every pixel. 64 bytes follow the
    /// last row, so code that reads a pixel as four bytes (the resize) may read past any pixel.
    public init(width: Int, height: Int) {
        precondition(width > 0 && height > 0, "empty image \(width)×\(height)")
        self.width = width
        self.height = height
        stride = (3 * width + 63) & ~63
        let raw = UnsafeMutableRawPointer.allocate(byteCount: stride * height + 64, alignment: 64)
        pixels = raw.bindMemory(to: UInt8.self, capacity: stride * height + 64)
    }

    /// An image holding `bytes`, packed RGB rows with no padding.
    public convenience init(width: Int, height: Int, packed bytes: [UInt8]) {
        precondition(bytes.count == width * height * 3, "\(bytes.count) bytes for \(width)×\(height) RGB")
        self.init(width: width, height: height)
        bytes.withUnsafeBufferPointer { src in
            for y in 0..<height { (pixels + y * stride).update(from: src.baseAddress! + y * width * 3, count: width * 3) }
        }
    }

    deinit { UnsafeMutableRawPointer(pixels).deallocate() }

    /// The first byte of row `y`.
    @inline(__always)
    public func row(_ y: Int) -> UnsafeMutablePointer<UInt8> { pixels + y * stride }

    /// The pixels as packed rows with no padding, `height · width · 3` bytes.
    public func packed() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        out.withUnsafeMutableBufferPointer { dst in
            for y in 0..<height { (dst.baseAddress! + y * width * 3).update(from: row(y), count: width * 3) }
        }
        return out
    }

    /// The pixel at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let p = row(y) + 3 * x
        return (p[0], p[1], p[2])
    }
}
