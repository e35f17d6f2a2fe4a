import CFFmpeg

/// An `AVIOContext` reading a file through FFmpeg's `file` protocol only, stopped by the
/// deadline through FFmpeg's interrupt callback. Closed with `avio_closep` in `deinit`.
final class FileIO {
    let context: UnsafeMutablePointer<AVIOContext>

    init(path: String, interrupt: AVIOInterruptCB) throws(VideoError) {
        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        av_dict_set(&options, "protocol_whitelist", "file", 0)
        var interrupt = interrupt
        var ctx: UnsafeMutablePointer<AVIOContext>? = nil
        // "file:" keeps a path with a colon in it from naming another protocol.
        let code = avio_open2(&ctx, "file:" + path, AVIO_FLAG_READ, &interrupt, &options)
        guard code >= 0, let ctx else { throw .io(path: path, reason: averrorText(code)) }
        context = ctx
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVIOContext>? = context
        avio_closep(&ctx)
    }
}
