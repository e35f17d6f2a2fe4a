import CFFmpeg

/// An opened demuxer reading from an I/O context this object keeps alive (`io` owns the
/// `AVIOContext`; the format context is flagged custom-I/O and never closes it). Closed with
/// `avformat_close_input` in `deinit`, before `io` is released.
final class FormatContext {
    let context: UnsafeMutablePointer<AVFormatContext>
    private let io: AnyObject

    /// Opens the container `format` (already probed and checked against the whitelist) on `pb`.
    /// Only demuxers named in `containers` and decoders named in `codecs` may run inside FFmpeg.
    init(pb: UnsafeMutablePointer<AVIOContext>, io: AnyObject, format: UnsafePointer<AVInputFormat>,
         containers: Set<String>, codecs: Set<String>, probeBytes: Int, interrupt: AVIOInterruptCB) throws(VideoError) {
        self.io = io
        guard let ctx = avformat_alloc_context() else {
            throw .ffmpeg(function: "avformat_alloc_context", code: AVErrorCode.noMemory, message: averrorText(AVErrorCode.noMemory))
        }
        ctx.pointee.pb = pb
        ctx.pointee.interrupt_callback = interrupt
        ctx.pointee.probesize = Int64(max(32, probeBytes))
        var options: OpaquePointer? = nil
        defer { av_dict_free(&options) }
        av_dict_set(&options, "format_whitelist", containers.sorted().joined(separator: ","), 0)
        av_dict_set(&options, "codec_whitelist", codecs.sorted().joined(separator: ","), 0)
        // avformat_open_input frees the context itself when it fails.
        var opened: UnsafeMutablePointer<AVFormatContext>? = ctx
        try ffmpeg("avformat_open_input") { avformat_open_input(&opened, nil, format, &options) }
        guard let opened else { throw .ffmpeg(function: "avformat_open_input", code: AVErrorCode.invalidData, message: "no context") }
        context = opened
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&ctx)
    }

    /// The stream at `index`.
    func stream(_ index: Int) -> UnsafeMutablePointer<AVStream> {
        context.pointee.streams[index]!
    }

    var streamCount: Int { Int(context.pointee.nb_streams) }
}
