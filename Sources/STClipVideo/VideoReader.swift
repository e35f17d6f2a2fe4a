import CFFmpeg
import Foundation

/// An opened input with its video stream chosen and checked against the limits: the I/O context,
/// the demuxer, and the decoder to use. Creating one reads the container header and probes the
/// streams; nothing is decoded yet.
final class VideoReader {
    let deadline: Deadline
    let limits: VideoLimits
    let format: FormatContext
    let streamIndex: Int32
    let stream: UnsafeMutablePointer<AVStream>
    let codec: UnsafePointer<AVCodec>
    /// The demuxer's name, e.g. `"mov,mp4,m4a,3gp,3g2,mj2"`.
    let containerName: String
    /// The codec's name, e.g. `"h264"`.
    let codecName: String
    /// Clockwise degrees (0, 90, 180, 270) to turn decoded frames so they display upright.
    let rotation: Int
    /// Keeps the I/O context (memory or file) alive for as long as the demuxer.
    private let io: AnyObject

    init(source: VideoSource, limits: VideoLimits, deadline: Deadline) throws(VideoError) {
        self.deadline = deadline
        self.limits = limits
        let interrupt = AVIOInterruptCB(callback: interruptCallback, opaque: Unmanaged.passUnretained(deadline).toOpaque())

        // MARK: - Bytes and I/O
        let pb: UnsafeMutablePointer<AVIOContext>
        switch source {
        case let .data(bytes):
            guard bytes.count <= limits.maxBytes else { throw .tooLarge(detail: "\(bytes.count) bytes (limit \(limits.maxBytes))") }
            guard !bytes.isEmpty else { throw .notAVideo(detail: "no bytes") }
            let memory = try MemoryIO(bytes: bytes, deadline: deadline)
            (io, pb) = (memory, memory.context)
        case let .file(path):
            let size: Int
            do {
                size = try (FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
            } catch {
                throw .io(path: path, reason: (error as NSError).localizedFailureReason ?? error.localizedDescription)
            }
            guard size <= limits.maxBytes else { throw .tooLarge(detail: "\(size) bytes (limit \(limits.maxBytes))") }
            guard size > 0 else { throw .notAVideo(detail: "\(path) is empty") }
            let file = try FileIO(path: path, interrupt: interrupt)
            (io, pb) = (file, file.context)
        }

        // MARK: - Container: probe, whitelist, header
        var probed: UnsafePointer<AVInputFormat>? = nil
        let probe = av_probe_input_buffer2(pb, &probed, nil, nil, 0, UInt32(clamping: max(2048, limits.probeBytes)))
        try deadline.check()
        guard probe >= 0, let probed else {
            if probe == AVErrorCode.noMemory { throw .ffmpeg(function: "av_probe_input_buffer2", code: probe, message: averrorText(probe)) }
            throw .notAVideo(detail: "no known container format recognised")
        }
        containerName = String(cString: probed.pointee.name)
        guard containerName.split(separator: ",").contains(where: { limits.containers.contains(String($0)) }) else {
            throw .unsupportedContainer(name: containerName)
        }
        do {
            format = try FormatContext(pb: pb, io: io, format: probed, containers: limits.containers, codecs: limits.codecs,
                                       probeBytes: limits.probeBytes, interrupt: interrupt)
        } catch {
            try deadline.check()
            if case let .ffmpeg(_, code, message) = error, code != AVErrorCode.noMemory {
                throw .corrupt(detail: "cannot read the \(containerName) header: \(message)")
            }
            throw error
        }

        // MARK: - Streams
        guard format.streamCount <= limits.maxStreams else {
            throw .tooLarge(detail: "\(format.streamCount) streams (limit \(limits.maxStreams))")
        }
        var candidates: [Int] = [], coverArt = false, audio = false
        for i in 0..<format.streamCount {
            let st = format.stream(i)
            switch st.pointee.codecpar.pointee.codec_type {
            case AVMEDIA_TYPE_VIDEO:
                if st.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 { coverArt = true } else { candidates.append(i) }
            case AVMEDIA_TYPE_AUDIO: audio = true
            default: break
            }
        }
        guard !candidates.isEmpty else {
            throw .noVideoStream(detail: coverArt ? "only cover art (an attached picture)" : audio ? "audio only" : "no stream is video")
        }
        // Declared sizes are checked before any decoder (including the ones probing opens) sees a frame.
        for i in candidates {
            let p = format.stream(i).pointee.codecpar.pointee
            guard Int(p.width) * Int(p.height) <= limits.maxPixels else {
                throw .tooLarge(detail: "\(p.width)×\(p.height) pixels per frame (limit \(limits.maxPixels))")
            }
        }
        // Only video candidates are probed and read; every other stream is discarded by the demuxer.
        let opened = format
        for i in 0..<opened.streamCount where !candidates.contains(i) { opened.stream(i).pointee.discard = AVDISCARD_ALL }
        // Probing (which decodes frames) is needed only where the header leaves the codec or the frame
        // size unknown; mp4, Matroska and AVI headers normally say both.
        let known = candidates.allSatisfy { i in
            let p = opened.stream(i).pointee.codecpar.pointee
            return p.codec_id != AV_CODEC_ID_NONE && p.width > 0 && p.height > 0
        }
        if !known { try Self.probeStreams(opened, limits: limits, deadline: deadline) }
        try deadline.check()
        let best = av_find_best_stream(format.context, AVMEDIA_TYPE_VIDEO, -1, -1, nil, 0)
        streamIndex = best >= 0 && candidates.contains(Int(best)) ? best : Int32(candidates[0])
        for i in 0..<format.streamCount where i != Int(streamIndex) { format.stream(i).pointee.discard = AVDISCARD_ALL }
        stream = format.stream(Int(streamIndex))

        // MARK: - Codec and picture size
        let parameters = stream.pointee.codecpar.pointee
        codecName = String(cString: avcodec_get_name(parameters.codec_id))
        guard limits.codecs.contains(codecName), let decoder = avcodec_find_decoder(parameters.codec_id) else {
            throw .unsupportedCodec(name: codecName)
        }
        codec = decoder
        let pixels = Int(parameters.width) * Int(parameters.height)
        guard pixels <= limits.maxPixels else {
            throw .tooLarge(detail: "\(parameters.width)×\(parameters.height) pixels per frame (limit \(limits.maxPixels))")
        }
        guard parameters.width > 0, parameters.height > 0 else { throw .corrupt(detail: "the video stream has no frame size") }

        // FFmpeg's autorotate rule: turn clockwise by the negated matrix angle, snapped to a quarter turn.
        let angle = stclip_display_rotation(stream)
        if angle.isFinite {
            let clockwise = (Int((-angle).rounded()) % 360 + 360) % 360
            rotation = [0, 90, 180, 270].min { abs($0 - clockwise) < abs($1 - clockwise) } ?? 0
        } else {
            rotation = 0
        }
    }

    /// `avformat_find_stream_info`, with every decoder it opens refusing pictures over the pixel
    /// limit before allocating them.
    private static func probeStreams(_ format: FormatContext, limits: VideoLimits, deadline: Deadline) throws(VideoError) {
        var perStream = [OpaquePointer?](repeating: nil, count: format.streamCount)
        for i in perStream.indices { av_dict_set(&perStream[i], "max_pixels", "\(max(1, min(limits.maxPixels, Int(Int32.max))))", 0) }
        defer { for i in perStream.indices { av_dict_free(&perStream[i]) } }
        do {
            try ffmpeg("avformat_find_stream_info") { avformat_find_stream_info(format.context, &perStream) }
        } catch {
            try deadline.check()
            if case let .ffmpeg(_, code, message) = error, code != AVErrorCode.noMemory {
                throw .corrupt(detail: "cannot read stream parameters: \(message)")
            }
            throw error
        }
    }

    /// The stream's time base, seconds per timestamp tick.
    var secondsPerTick: Double {
        let tb = stream.pointee.time_base
        return tb.den == 0 ? 0 : Double(tb.num) / Double(tb.den)
    }

    /// Reads every packet of the video stream (demuxing only, no decoding), keeping them in
    /// decode order, and builds the timeline. Stops with `.tooLong` as soon as the packets span
    /// more than `maxDuration`, and with `.tooLarge` past `maxFrames` packets or `maxBytes` of
    /// packet data (a container may inflate compressed tracks).
    func scan() throws(VideoError) -> PacketScan {
        var packets: [Packet] = []
        var bytes = 0
        var lowest = Int64.max, highest = Int64.min
        let tick = secondsPerTick
        while true {
            try deadline.check()
            let packet = try Packet()
            let code = av_read_frame(format.context, packet.packet)
            if code == AVErrorCode.eof { break }
            if code < 0 {
                try deadline.check()
                if code == AVErrorCode.noMemory { throw .ffmpeg(function: "av_read_frame", code: code, message: averrorText(code)) }
                throw .corrupt(detail: "reading packet \(packets.count + 1): \(averrorText(code))")
            }
            let p = packet.packet.pointee
            guard p.stream_index == streamIndex else { continue }
            if p.flags & AV_PKT_FLAG_CORRUPT != 0 {
                throw .corrupt(detail: "packet \(packets.count + 1) is incomplete (the file is truncated or damaged)")
            }
            bytes += Int(p.size)
            guard bytes <= limits.maxBytes else { throw .tooLarge(detail: "more than \(limits.maxBytes) bytes of video packets") }
            packets.append(packet)
            guard packets.count <= limits.maxFrames else { throw .tooLarge(detail: "more than \(limits.maxFrames) frames") }
            let key = p.pts != stclip_nopts() ? p.pts : p.dts
            if key != stclip_nopts() {
                lowest = min(lowest, key)
                highest = max(highest, key)
                let span = Double(highest - lowest) * tick
                if span > limits.maxDuration { throw .tooLong(seconds: span, limit: limits.maxDuration) }
            }
        }
        // A container index (mp4 sample table, AVI idx1) that places frame data past the end of the
        // file means the file was cut short, even where the cut fell between two packets.
        let fileSize = avio_size(format.context.pointee.pb)
        if fileSize > 0 {
            var indexEnd: Int64 = 0
            for i in 0..<avformat_index_get_entries_count(stream) {
                if let e = avformat_index_get_entry(stream, i) { indexEnd = max(indexEnd, e.pointee.pos + Int64(e.pointee.size)) }
            }
            if indexEnd > fileSize {
                throw .corrupt(detail: "truncated: the index places frame data at byte \(indexEnd) of a \(fileSize)-byte file")
            }
        }
        guard let timeline = Timeline(packets: packets.map { $0.packet.pointee }, secondsPerTick: tick,
                                      frameRate: stream.pointee.avg_frame_rate) else {
            throw .corrupt(detail: packets.isEmpty ? "the video stream has no packets" : "the video stream's packets carry no timestamps")
        }
        if timeline.duration > limits.maxDuration { throw .tooLong(seconds: timeline.duration, limit: limits.maxDuration) }
        return PacketScan(packets: packets, timeline: timeline)
    }
}

/// FFmpeg's interrupt callback: non-zero stops blocking I/O and long demuxer loops.
private func interruptCallback(_ opaque: UnsafeMutableRawPointer?) -> Int32 {
    guard let opaque else { return 0 }
    return Unmanaged<Deadline>.fromOpaque(opaque).takeUnretainedValue().isPast ? 1 : 0
}
