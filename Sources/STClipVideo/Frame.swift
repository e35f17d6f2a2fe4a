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

    deinit {
        var f: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&f)
    }
}
