import CFFmpeg

/// Decodes chosen frames from the scanned packets, each once, seeking only where that is cheaper.
///
/// Frames are fetched in display order. For each, decoding must start at a keyframe before it
/// (`Timeline.startPacket`). If the decoder is already running and that keyframe is not past the
/// next packet it would be fed, continuing costs no more than restarting, so it continues;
/// otherwise it is flushed and restarted at the keyframe — a seek, made exact because every
/// packet's position in decode order is known from the scan. Packets whose frames are not wanted
/// are not sent at all where they are non-reference pictures (`NonReferencePackets`), and are
/// otherwise decoded with `AVDISCARD_NONREF`, so that decoders which know their own non-reference
/// pictures skip them.
final class FrameDecoder {
    private let reader: VideoReader
    private let scan: PacketScan
    private let decoder: CodecContext
    private let frame: Frame
    /// The last frame output since the latest restart: the stand-in when a wanted frame fails to decode.
    private let previous: Frame
    /// Per packet (decode order): a non-reference picture, never sent unless its frame is wanted.
    private let nonReference: [Bool]
    private var hasPrevious = false
    private var nextPacket = 0
    private var running = false
    private var flushed = false
    private var lastKey = Int64.min

    /// Counts for the caller's timing report.
    private(set) var packetsSent = 0
    private(set) var packetsDropped = 0
    private(set) var framesReceived = 0
    private(set) var seeks = 0
    private(set) var decodeErrors = 0

    init(reader: VideoReader, scan: PacketScan, threads: Int) throws(VideoError) {
        self.reader = reader
        self.scan = scan
        do {
            decoder = try CodecContext(codec: reader.codec, stream: reader.stream, threads: threads, maxPixels: reader.limits.maxPixels)
        } catch {
            if case let .ffmpeg(_, code, message) = error, code != AVErrorCode.noMemory {
                throw .corrupt(detail: "cannot open the \(reader.codecName) decoder: \(message)")
            }
            throw error
        }
        frame = try Frame()
        previous = try Frame()
        let parameters = reader.stream.pointee.codecpar.pointee
        nonReference = NonReferencePackets.find(
            codec: parameters.codec_id,
            extradata: UnsafeBufferPointer(start: parameters.extradata, count: Int(max(0, parameters.extradata_size))),
            packets: scan.packets.map { UnsafeBufferPointer(start: $0.packet.pointee.data, count: Int(max(0, $0.packet.pointee.size))) })
    }

    /// Decodes the shown frames `wanted` (indices into `timeline.shown`) and calls `deliver` once
    /// for each, in display order, with the decoded frame — or, where that frame cannot be
    /// decoded, the nearest frame before it that could (after it if there is none before).
    func decode(_ wanted: Set<Int>,
                deliver: (Int, UnsafeMutablePointer<AVFrame>) throws(VideoError) -> Void) throws(VideoError) {
        let timeline = scan.timeline
        var waiting: [Int64: Int] = [:]  // presentation ticks → shown index, for frames not yet delivered
        for i in wanted { waiting[timeline.shownKeys[i]] = i }

        let targets = wanted.sorted()
        for (n, target) in targets.enumerated() {
            let key = timeline.shownKeys[target]
            guard waiting[key] != nil else { continue }
            let start = timeline.startPacket(forShown: target)
            if !(running && !flushed && start <= nextPacket && lastKey < key) {
                if running {
                    avcodec_flush_buffers(decoder.context)
                    seeks += 1
                }
                (nextPacket, running, flushed, lastKey, hasPrevious) = (start, true, false, Int64.min, false)
            }
            // Feed packets until the wanted frame, or a later one, comes out. Once its packet is in,
            // the decoder is drained rather than fed further when the next frame wanted lies past a
            // keyframe anyway (or no frame is wanted after it): packets decoded only to push the
            // frame out of the reorder buffer would be thrown away by the seek.
            let drainWhenSent = targets[(n + 1)...].first { waiting[timeline.shownKeys[$0]] != nil }
                .map { timeline.startPacket(forShown: $0) } ?? Int.max
            while waiting[key] != nil && lastKey < key {
                try reader.deadline.check()
                if !flushed && nextPacket > timeline.shown[target] && (drainWhenSent == Int.max || drainWhenSent > nextPacket) {
                    flushed = true
                    try send(nil)
                } else if nextPacket < scan.packets.count {
                    let index = nextPacket
                    nextPacket += 1
                    let wanted = timeline.packetKeys[index].map { waiting[$0] != nil } ?? true
                    if !wanted && nonReference[index] {
                        packetsDropped += 1
                        continue
                    }
                    decoder.context.pointee.skip_frame = wanted ? AVDISCARD_DEFAULT : AVDISCARD_NONREF
                    try send(scan.packets[index].packet)
                } else if !flushed {
                    flushed = true
                    try send(nil)
                } else {
                    break
                }
                try receive(waiting: &waiting, target: key, deliver: deliver)
            }
            if waiting[key] != nil {
                guard hasPrevious else {
                    throw .corrupt(detail: "no frame decodes at or before \(timeline.time(target)) s")
                }
                waiting[key] = nil
                try deliver(target, previous.frame)
            }
        }
    }

    private func send(_ packet: UnsafeMutablePointer<AVPacket>?) throws(VideoError) {
        let code = avcodec_send_packet(decoder.context, packet)
        packetsSent += packet == nil ? 0 : 1
        if code >= 0 || code == AVErrorCode.eof { return }
        if code == AVErrorCode.noMemory { throw .ffmpeg(function: "avcodec_send_packet", code: code, message: averrorText(code)) }
        // A damaged packet: the decoder conceals what it can; frames that never appear are stood in for.
        decodeErrors += 1
    }

    /// Takes every frame the decoder has ready, delivering those that are waited for.
    private func receive(waiting: inout [Int64: Int], target: Int64,
                         deliver: (Int, UnsafeMutablePointer<AVFrame>) throws(VideoError) -> Void) throws(VideoError) {
        while true {
            let code = avcodec_receive_frame(decoder.context, frame.frame)
            if code == AVErrorCode.again || code == AVErrorCode.eof { return }
            if code < 0 {
                if code == AVErrorCode.noMemory { throw .ffmpeg(function: "avcodec_receive_frame", code: code, message: averrorText(code)) }
                decodeErrors += 1
                return
            }
            defer { av_frame_unref(frame.frame) }
            framesReceived += 1
            let f = frame.frame.pointee
            let key = f.pts != stclip_nopts() ? f.pts : f.best_effort_timestamp
            guard key != stclip_nopts(), key > lastKey else { continue }
            // The wanted frame was skipped over (undecodable): the frame shown in its place is the one before.
            if key > target, let missing = waiting[target] {
                waiting[target] = nil
                try deliver(missing, hasPrevious ? previous.frame : frame.frame)
            }
            lastKey = key
            if let shown = waiting[key] {
                waiting[key] = nil
                try deliver(shown, frame.frame)
            }
            av_frame_unref(previous.frame)
            try ffmpeg("av_frame_ref") { av_frame_ref(previous.frame, frame.frame) }
            hasPrevious = true
        }
    }
}
