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

    /// A new reference to `other`'s data (`av_frame_clone`), which stays valid after the decoder
    /// unreferences or reuses `other`.
    init(cloning other: UnsafePointer<AVFrame>) throws(VideoError) {
        guard let f = av_frame_clone(other) else {
            throw .ffmpeg(function: "av_frame_clone", code: AVErrorCode.noMemory, message: averrorText(AVErrorCode.noMemory))
        }
        frame = f
    }

    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&f)
    }
}
