import CFFmpeg

/// An opened decoder for one stream, freed with `avcodec_free_context`.
final class CodecContext {
    let context: UnsafeMutablePointer<AVCodecContext>

    /// Pictures below this many pixels decode on one thread whatever is asked, leaving the second
    /// core to the conversion and preprocessing that run beside the decoder (`FramePipeline`).
    /// Measured with non-reference pictures dropped, H.264 GOP 250, median warm sampling time with
    /// two frame threads over one: 64×64 1.35, 320×240 1.04–1.14, 480×270 1.03–1.05, 640×360
    /// 0.87–0.94. (Before the resize passes were vectorised, preprocessing kept the second core
    /// busy enough that 640×360 gained only 2 %, and the line was at 640×480.)
    static let smallPicturePixels = 200_000

    /// Opens `codec` with the stream's parameters and up to `threads` decoding threads (at least
    /// 1): frame threads (each buys parallel decoding for one more frame of output delay), except
    /// for HEVC, which gets slice threads — its wavefront rows and tiles decode in parallel within
    /// a picture, where frame threads gain less once non-reference pictures are dropped (x265's
    /// default output, 720p: two slice threads 27 % faster than two frame threads with those
    /// pictures skipped inside the decoder, 4 % faster with them dropped before it). The decoder
    /// refuses pictures of more than `maxPixels` pixels before allocating them.
    init(codec: UnsafePointer<AVCodec>, stream: UnsafeMutablePointer<AVStream>, threads: Int, maxPixels: Int) throws(VideoError) {
        guard let ctx = avcodec_alloc_context3(codec) else {
            throw .ffmpeg(function: "avcodec_alloc_context3", code: AVErrorCode.noMemory, message: averrorText(AVErrorCode.noMemory))
        }
        context = ctx
        try ffmpeg("avcodec_parameters_to_context") { avcodec_parameters_to_context(ctx, stream.pointee.codecpar) }
        ctx.pointee.pkt_timebase = stream.pointee.time_base
        ctx.pointee.max_pixels = Int64(max(1, maxPixels))
        let pixels = Int(ctx.pointee.width) * Int(ctx.pointee.height)
        ctx.pointee.thread_count = pixels > 0 && pixels < Self.smallPicturePixels ? 1 : Int32(max(1, min(threads, 16)))
        ctx.pointee.thread_type = codec.pointee.id == AV_CODEC_ID_HEVC ? FF_THREAD_SLICE : FF_THREAD_FRAME | FF_THREAD_SLICE
        try ffmpeg("avcodec_open2") { avcodec_open2(ctx, codec, nil) }
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&ctx)
    }
}
