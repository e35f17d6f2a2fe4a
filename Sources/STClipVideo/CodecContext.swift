import CFFmpeg

/// An opened decoder for one stream, freed with `avcodec_free_context`.
final class CodecContext {
    let context: UnsafeMutablePointer<AVCodecContext>

    /// Opens `codec` with the stream's parameters. `threads` frame threads (at least 1): each
    /// extra thread buys parallel decoding for one more frame of output delay. The decoder refuses
    /// pictures of more than `maxPixels` pixels before allocating them.
    init(codec: UnsafePointer<AVCodec>, stream: UnsafeMutablePointer<AVStream>, threads: Int, maxPixels: Int) throws(VideoError) {
        guard let ctx = avcodec_alloc_context3(codec) else {
            throw .ffmpeg(function: "avcodec_alloc_context3", code: AVErrorCode.noMemory, message: averrorText(AVErrorCode.noMemory))
        }
        context = ctx
        try ffmpeg("avcodec_parameters_to_context") { avcodec_parameters_to_context(ctx, stream.pointee.codecpar) }
        ctx.pointee.pkt_timebase = stream.pointee.time_base
        ctx.pointee.max_pixels = Int64(max(1, maxPixels))
        ctx.pointee.thread_count = Int32(max(1, min(threads, 16)))
        ctx.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        try ffmpeg("avcodec_open2") { avcodec_open2(ctx, codec, nil) }
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&ctx)
    }
}
