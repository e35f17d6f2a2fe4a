import Foundation
import STClipVideo

/// Pillow's 8-bit resize written as plainly as possible, straight from `libImaging/Resample.c`:
/// coefficients in Double per output sample, normalised, rounded to 22-bit fixed point; the
/// horizontal pass over every row into an 8-bit image, then the vertical pass. No windows, no
/// pointer arithmetic, no shared code with the product's kernel.
enum ReferenceResize {
    static func filter(_ resample: PreprocessorConfig.Resample, _ x: Double) -> Double {
        let x = abs(x)
        switch resample {
        case .bilinear:
            return x < 1 ? 1 - x : 0
        case .bicubic:
            let a = -0.5
            if x < 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
            if x < 2 { return (((x - 5) * x + 8) * x - 4) * a }
            return 0
        }
    }

    /// For each output sample: the first input sample and the fixed-point weights.
    static func coefficients(inSize: Int, outSize: Int, _ resample: PreprocessorConfig.Resample) -> [(start: Int, weights: [Int])] {
        let support0: Double = resample == .bilinear ? 1 : 2
        let scale = Double(inSize) / Double(outSize)
        let filterscale = max(1, scale)
        let support = support0 * filterscale
        return (0..<outSize).map { o in
            let center = (Double(o) + 0.5) * scale
            let xmin = max(0, Int(center - support + 0.5))
            let xmax = min(inSize, Int(center + support + 0.5))
            var w = (xmin..<max(xmin, xmax)).map { x in filter(resample, (Double(x) - center + 0.5) / filterscale) }
            let sum = w.reduce(0, +)
            if sum != 0 { w = w.map { $0 / sum } }
            return (xmin, w.map { v in Int(v < 0 ? -0.5 + v * 4_194_304 : 0.5 + v * 4_194_304) })
        }
    }

    static func clip(_ v: Int) -> UInt8 { UInt8(min(255, max(0, v >> 22))) }

    /// `pixels` (packed RGB, width × height) resized to outWidth × outHeight, packed.
    static func resize(_ pixels: [UInt8], width: Int, height: Int, outWidth: Int, outHeight: Int,
                       _ resample: PreprocessorConfig.Resample) -> [UInt8] {
        var image = pixels, w = width
        if outWidth != width {
            let k = coefficients(inSize: width, outSize: outWidth, resample)
            var out = [UInt8](repeating: 0, count: outWidth * height * 3)
            for y in 0..<height {
                for x in 0..<outWidth {
                    for c in 0..<3 {
                        var s = 1 << 21
                        for (i, weight) in k[x].weights.enumerated() { s += Int(image[(y * w + k[x].start + i) * 3 + c]) * weight }
                        out[(y * outWidth + x) * 3 + c] = clip(s)
                    }
                }
            }
            image = out
            w = outWidth
        }
        if outHeight != height {
            let k = coefficients(inSize: height, outSize: outHeight, resample)
            var out = [UInt8](repeating: 0, count: w * outHeight * 3)
            for y in 0..<outHeight {
                for x in 0..<w {
                    for c in 0..<3 {
                        var s = 1 << 21
                        for (i, weight) in k[y].weights.enumerated() { s += Int(image[((k[y].start + i) * w + x) * 3 + c]) * weight }
                        out[(y * w + x) * 3 + c] = clip(s)
                    }
                }
            }
            image = out
        }
        return image
    }
}
