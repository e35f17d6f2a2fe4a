import CKernels
import Foundation

/// Pillow's `Image.resize` for 8-bit RGB images with the BILINEAR and BICUBIC filters, bit for
/// bit (Pillow's `libImaging/Resample.c`), computing only a window of the output when asked.
///
/// The algorithm: a separable convolution, horizontal pass first into an 8-bit intermediate, then
/// vertical. Each output sample `o` of an axis scaled from `inSize` to `outSize` is centred at
/// `center = (o + ½) · scale` with `scale = inSize / outSize`; on a downscale the filter is
/// stretched by `filterscale = max(scale, 1)` (which is what makes PIL antialias), so its support
/// is `filter.support · filterscale`. Taps run over input samples `xmin ..< xmax` with
/// `xmin = max(0, Int(center − support + ½))`, `xmax = min(inSize, Int(center + support + ½))`,
/// weights `filter((x − center + ½) / filterscale)` computed in Double and divided by their sum.
/// For 8-bit images each weight becomes a 22-bit fixed-point integer (`PRECISION_BITS = 32 − 8 − 2`)
/// rounded half away from zero; a sample is `clamp((2²¹ + Σ pixel · weight) >> 22, 0, 255)`.
/// An axis whose size does not change is not filtered at all.
public enum PILResize {
    /// Fixed-point fraction bits of the 8-bit path.
    static let precisionBits: Int32 = 22

    /// The taps of one axis: output sample `o` reads `counts[o]` inputs from `starts[o]` with
    /// weights `weights[o · taps ..< o · taps + counts[o]]`.
    struct Axis {
        let taps: Int
        let starts: [Int]
        let counts: [Int]
        let weights: [Int32]
    }

    /// The filter's kernel at distance `x` (in filter units) and its support radius.
    static func kernel(_ filter: PreprocessorConfig.Resample) -> (support: Double, weight: (Double) -> Double) {
        switch filter {
        case .bilinear:
            return (1.0, { x in
                let x = abs(x)
                return x < 1.0 ? 1.0 - x : 0.0
            })
        case .bicubic:
            // Keys' cubic with a = −0.5, written as Pillow writes it.
            return (2.0, { x in
                let a = -0.5
                let x = abs(x)
                if x < 1.0 { return ((a + 2.0) * x - (a + 3.0)) * x * x + 1 }
                if x < 2.0 { return (((x - 5) * x + 8) * x - 4) * a }
                return 0.0
            })
        }
    }

    /// Pillow's `precompute_coeffs` followed by `normalize_coeffs_8bpc`.
    static func axis(inSize: Int, outSize: Int, filter: PreprocessorConfig.Resample) -> Axis {
        let (filterSupport, weight) = kernel(filter)
        let scale = Double(inSize) / Double(outSize)
        let filterscale = max(scale, 1.0)
        let support = filterSupport * filterscale
        let taps = Int(ceil(support)) * 2 + 1
        var starts = [Int](repeating: 0, count: outSize)
        var counts = [Int](repeating: 0, count: outSize)
        var weights = [Int32](repeating: 0, count: outSize * taps)
        var k = [Double](repeating: 0, count: taps)
        let one = Double(1 << precisionBits)
        for o in 0..<outSize {
            let center = (Double(o) + 0.5) * scale
            let ss = 1.0 / filterscale
            let xmin = max(0, Int(center - support + 0.5))
            let xmax = min(inSize, Int(center + support + 0.5)) - xmin
            var sum = 0.0
            for x in 0..<max(0, xmax) {
                let w = weight((Double(x + xmin) - center + 0.5) * ss)
                k[x] = w
                sum += w
            }
            for x in 0..<max(0, xmax) {
                let w = sum != 0 ? k[x] / sum : k[x]
                weights[o * taps + x] = Int32(w < 0 ? -0.5 + w * one : 0.5 + w * one)
            }
            starts[o] = xmin
            counts[o] = max(0, xmax)
        }
        return Axis(taps: taps, starts: starts, counts: counts, weights: weights)
    }

    /// `image` resized to `width` × `height` as Pillow resizes it, or only the window
    /// `columns` × `rows` of that result (the other output pixels are never computed).
    public static func resize(_ image: RGBImage, width: Int, height: Int, filter: PreprocessorConfig.Resample,
                              columns: Range<Int>? = nil, rows: Range<Int>? = nil) -> RGBImage {
        let columns = columns ?? 0..<width, rows = rows ?? 0..<height
        precondition(width > 0 && height > 0 && columns.lowerBound >= 0 && columns.upperBound <= width && !columns.isEmpty
                     && rows.lowerBound >= 0 && rows.upperBound <= height && !rows.isEmpty, "bad resize window")
        let horizontal = width != image.width, vertical = height != image.height

        // Input rows the vertical pass reads (all of `rows` when there is no vertical pass).
        let vAxis = vertical ? axis(inSize: image.height, outSize: height, filter: filter) : nil
        let firstRow: Int, endRow: Int
        if let vAxis {
            firstRow = rows.map { vAxis.starts[$0] }.min()!
            endRow = rows.map { vAxis.starts[$0] + vAxis.counts[$0] }.max()!
        } else {
            (firstRow, endRow) = (rows.lowerBound, rows.upperBound)
        }

        // MARK: - Horizontal pass: input rows firstRow..<endRow → `columns` of the output width.
        let stage: RGBImage, stageX0: Int, stageY0: Int
        if horizontal {
            let hAxis = axis(inSize: image.width, outSize: width, filter: filter)
            stage = RGBImage(width: columns.count, height: max(1, endRow - firstRow))
            horizontalPass(image, into: stage, axis: hAxis, columns: columns, rows: firstRow..<endRow)
            (stageX0, stageY0) = (columns.lowerBound, firstRow)
        } else {
            (stage, stageX0, stageY0) = (image, 0, 0)
        }

        // MARK: - Vertical pass: `rows` of the output height from the stage's rows.
        let out = RGBImage(width: columns.count, height: rows.count)
        if let vAxis {
            verticalPass(stage, into: out, axis: vAxis, rows: rows, stageRow0: stageY0, stageColumn0: columns.lowerBound - stageX0)
        } else {
            for y in rows {
                out.row(y - rows.lowerBound).update(from: stage.row(y - stageY0) + 3 * (columns.lowerBound - stageX0),
                                                    count: 3 * columns.count)
            }
        }
        return out
    }

    // Both passes are C (CKernels) so that their loops run as vectors: four channels of a pixel at
    // once across the row, sixteen bytes of a row at once down the columns.

    private static func horizontalPass(_ src: RGBImage, into dst: RGBImage, axis: Axis, columns: Range<Int>, rows: Range<Int>) {
        // RGBImage keeps 64 bytes after its last row, so the byte past any pixel is readable.
        axis.weights.withUnsafeBufferPointer { weights in
            axis.starts.withUnsafeBufferPointer { starts in
                axis.counts.withUnsafeBufferPointer { counts in
                    stclip_resample_rgb8_horizontal(src.row(rows.lowerBound), src.stride, dst.pixels, dst.stride, rows.count,
                                                    columns.lowerBound, columns.count, starts.baseAddress, counts.baseAddress,
                                                    weights.baseAddress, axis.taps, precisionBits)
                }
            }
        }
    }

    private static func verticalPass(_ src: RGBImage, into dst: RGBImage, axis: Axis, rows: Range<Int>,
                                     stageRow0: Int, stageColumn0: Int) {
        var inputs = [UnsafePointer<UInt8>?](repeating: nil, count: axis.taps)
        axis.weights.withUnsafeBufferPointer { weights in
            for o in rows {
                let count = axis.counts[o]
                for t in 0..<count { inputs[t] = UnsafePointer(src.row(axis.starts[o] + t - stageRow0) + 3 * stageColumn0) }
                stclip_resample_u8_vertical(inputs, weights.baseAddress! + o * axis.taps, count,
                                            dst.row(o - rows.lowerBound), 3 * dst.width, precisionBits)
            }
        }
    }
}
