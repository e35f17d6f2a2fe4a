import CFFmpeg

/// An `AVPacket`, freed with `av_packet_free`.
final class Packet {
    let packet: UnsafeMutablePointer<AVPacket>

    init() throws(VideoError) {
        guard let p = av_packet_alloc() else {
            throw .ffmpeg(function: "av_packet_alloc", code: AVErrorCode.noMemory, message: averrorText(AVErrorCode.noMemory))
        }
        packet = p
    }

    deinit {
        var p: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&p)
    }
}
