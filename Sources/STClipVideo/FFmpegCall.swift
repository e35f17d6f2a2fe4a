import CFFmpeg

/// The single gate for FFmpeg calls that return an error code: a negative result (an AVERROR)
/// becomes `VideoError.ffmpeg` naming `function` and carrying `av_strerror`'s text; anything else
/// is returned unchanged. Callers that know what a failure means for the input re-classify it
/// with `FFmpegFailure.classified`.
@discardableResult
func ffmpeg(_ function: String, _ body: () -> Int32) throws(VideoError) -> Int32 {
    let code = body()
    guard code < 0 else { return code }
    throw .ffmpeg(function: function, code: code, message: averrorText(code))
}

/// `av_strerror`'s description of an AVERROR code.
func averrorText(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: Int(AV_ERROR_MAX_STRING_SIZE))
    av_strerror(code, &buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// FFmpeg error codes this module treats specially.
enum AVErrorCode {
    static let eof = stclip_averror_eof()
    static let again = stclip_averror(EAGAIN)
    static let exit = stclip_averror_exit()
    static let invalidData = stclip_averror_invaliddata()
    static let noMemory = stclip_averror(ENOMEM)
}
