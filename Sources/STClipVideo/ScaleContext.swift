import CFFmpeg

/// A libswscale context converting decoded frames to packed RGB24 at the same size, with the
/// frame's colour matrix (BT.601 when unspecified, as FFmpeg assumes) and range. Rebuilt when the
/// frame's format, size or colour description changes; freed with `sws_freeContext`.
final class ScaleContext {
    private var context: OpaquePointer?
    private var key: [Int32] = []

    init() {}

    deinit { sws_freeContext(context) }

    /// Converts `frame` into `image`, which must have the frame's width and height.
    func convert(_ frame: UnsafeMutablePointer<AVFrame>, into image: RGBImage) throws(VideoError) {
        let f = frame.pointee
        let key = [f.width, f.height, f.format, Int32(bitPattern: f.colorspace.rawValue), Int32(bitPattern: f.color_range.rawValue)]
        if key != self.key {
            let format = AVPixelFormat(rawValue: f.format)
            // SWS_BILINEAR alone, as PyAV's `to_ndarray(format="rgb24")` and the ffmpeg CLI convert, so
            // that frames match the ones reference pipelines were built on (SWS_ACCURATE_RND takes
            // another chroma path and differs by up to 180 levels at sharp colour edges).
            context = sws_getCachedContext(context, f.width, f.height, format, f.width, f.height, AV_PIX_FMT_RGB24,
                                           SWS_BILINEAR, nil, nil, nil)
            guard let context else {
                self.key = []
                let name = av_get_pix_fmt_name(format).map { String(cString: $0) } ?? "\(f.format)"
                throw .corrupt(detail: "cannot convert pixel format \(name) to RGB")
            }
            let space: Int32
            switch f.colorspace {
            case AVCOL_SPC_BT709: space = SWS_CS_ITU709
            case AVCOL_SPC_BT2020_NCL, AVCOL_SPC_BT2020_CL: space = SWS_CS_BT2020
            case AVCOL_SPC_SMPTE240M: space = SWS_CS_SMPTE240M
            case AVCOL_SPC_FCC: space = SWS_CS_FCC
            default: space = SWS_CS_ITU601
            }
            // YUVJ formats are full range by definition, whatever color_range says.
            let fullRange = f.color_range == AVCOL_RANGE_JPEG
                || [AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVJ422P, AV_PIX_FMT_YUVJ444P, AV_PIX_FMT_YUVJ440P].contains(format)
            let coefficients = sws_getCoefficients(space)
            // Brightness 0, contrast and saturation 1.0 in 16.16 fixed point; the output (RGB) is full range.
            // The result is −1 for sources that have no YUV matrix to set (RGB, palette), which
            // convert with swscale's fixed tables, so it is not an error.
            _ = sws_setColorspaceDetails(context, coefficients, fullRange ? 1 : 0, sws_getCoefficients(SWS_CS_DEFAULT), 1,
                                         0, 1 << 16, 1 << 16)
            self.key = key
        }
        var dst: [UnsafeMutablePointer<UInt8>?] = [image.pixels, nil, nil, nil]
        var dstStride: [Int32] = [Int32(image.stride), 0, 0, 0]
        let rows = try ffmpeg("sws_scale") {
            withUnsafePointer(to: frame.pointee.data) { data in
            withUnsafePointer(to: frame.pointee.linesize) { linesize in
                data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { src in
                    linesize.withMemoryRebound(to: Int32.self, capacity: 8) { srcStride in
                        sws_scale(context, src, srcStride, 0, f.height, &dst, &dstStride)
                    }
                }
            }
            }
        }
        guard rows == f.height else { throw .corrupt(detail: "colour conversion produced \(rows) of \(f.height) rows") }
    }
}
