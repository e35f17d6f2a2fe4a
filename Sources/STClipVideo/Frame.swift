import CFFmpeg

/// An `AVFrame`, freed with `av_frame_free`.
final class Frame {
    let frame: UnsafeMutablePointer<AVFrame>

    init() throws(VideoError) {
        guard let f = av_frame_alloc() else {
            throw .ffmpeg(function: "av_frame_alloc", code: AVErrorCode.noMemory, message: averrorText(AVErrorCode.noMemory))
        }
        frame = f
    }

    /// A private copy of `other`'s pictures and properties: unlike a new reference, it stays as it
    /// is when the decoder writes into `other`'s buffers again (FFmpeg's MJPEG decoder, for one,
    /// decodes a damaged packet's scans into the picture it output last).
    convenience init(copying other: UnsafePointer<AVFrame>) throws(VideoError) {
        try self.init()
        let f = frame
        f.pointee.format = other.pointee.format
        f.pointee.width = other.pointee.width
        f.pointee.height = other.pointee.height
        try ffmpeg("av_frame_get_buffer") { av_frame_get_buffer(f, 0) }
        try ffmpeg("av_frame_copy") { av_frame_copy(f, other) }
        try ffmpeg("av_frame_copy_props") { av_frame_copy_props(f, other) }
    }

    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&f)
    }
}
