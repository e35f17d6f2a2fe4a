import CFFmpeg

/// Finds the packets whose pictures no other picture uses as a reference, so that the decoder can
/// be spared them entirely when their frames are not wanted. Dropping such a packet before
/// `avcodec_send_packet` leaves every other picture decoding exactly as before, and, unlike
/// `AVDISCARD_NONREF`, costs the decoder nothing: with frame threads, a picture skipped inside
/// the decoder still takes a thread hand-off, which on small pictures costs more than the
/// threads gain.
///
/// - H.264: every slice of the packet has `nal_ref_idc` 0. Such a picture is never used for inter
///   prediction, marks no reference pictures and shares the next reference picture's `frame_num`,
///   so no gap appears (ITU-T H.264 7.4.1, 7.4.3).
/// - HEVC: every slice is a sub-layer non-reference picture (TRAIL_N, TSA_N, STSA_N, RADL_N,
///   RASL_N) of the stream's highest temporal sub-layer, so no picture may refer to it, and it does
///   not enter the picture order count of later pictures (ITU-T H.265 3.160, 8.3.1).
///
/// A packet qualifies only if it holds nothing but such slices, SEI, access unit delimiters and
/// filler; parameter sets, other layers and anything that does not parse keep it. Other codecs have
/// none here (their decoders may still skip with `AVDISCARD_NONREF`).
enum NonReferencePackets {
    /// Per packet (in the order given), whether it is a non-reference picture as above.
    static func find(codec: AVCodecID, extradata: UnsafeBufferPointer<UInt8>, packets: [UnsafeBufferPointer<UInt8>]) -> [Bool] {
        let none = [Bool](repeating: false, count: packets.count)
        switch codec {
        case AV_CODEC_ID_H264:
            // avcC (ISO 14496-15) starts with configurationVersion 1; anything else is Annex B.
            let framing: Framing = extradata.count >= 7 && extradata[0] == 1 ? .lengthPrefixed(Int(extradata[4] & 3) + 1) : .annexB
            return packets.map { h264NonReference($0, framing) }
        case AV_CODEC_ID_HEVC:
            // hvcC, recognised as FFmpeg's decoder does; its lengthSizeMinusOne is in byte 21.
            let isHVCC = extradata.count > 3 && (extradata[0] != 0 || extradata[1] != 0 || extradata[2] > 1)
            let framing: Framing
            if isHVCC {
                guard extradata.count >= 23 else { return none }
                framing = .lengthPrefixed(Int(extradata[21] & 3) + 1)
            } else {
                framing = .annexB
            }
            // A packet that does not parse may hide a higher sub-layer: then nothing is dropped.
            let layers = packets.compactMap { hevcLayer($0, framing) }
            guard layers.count == packets.count else { return none }
            let highest = layers.reduce(-1) { max($0, $1.highestTemporalID) }
            return layers.map { $0.nonReferenceTemporalID.map { $0 == highest } ?? false }
        default:
            return none
        }
    }

    // MARK: - NAL unit framing

    /// How a packet separates its NAL units.
    enum Framing {
        /// Each NAL unit preceded by its size, big-endian, in this many bytes (1 to 4).
        case lengthPrefixed(Int)
        /// Each NAL unit preceded by the start code 00 00 01 (emulation prevention keeps it out of payloads).
        case annexB
    }

    /// Calls `visit` with the first two bytes of each NAL unit (the second 0 where the unit has one
    /// byte); false when the packet does not parse as `framing` says (nothing is then concluded).
    static func forEachNALHeader(_ p: UnsafeBufferPointer<UInt8>, _ framing: Framing, _ visit: (UInt8, UInt8) -> Void) -> Bool {
        switch framing {
        case let .lengthPrefixed(width):
            guard (1...4).contains(width) else { return false }
            var i = 0
            while i < p.count {
                guard i + width <= p.count else { return false }
                var size = 0
                for k in 0..<width { size = size << 8 | Int(p[i + k]) }
                i += width
                guard size >= 1, size <= p.count - i else { return false }
                visit(p[i], size >= 2 ? p[i + 1] : 0)
                i += size
            }
            return true
        case .annexB:
            var i = 0
            while i < p.count && p[i] == 0 { i += 1 }
            guard i >= 2, i < p.count, p[i] == 1 else { return false }
            i -= 2
            while i + 3 < p.count {
                if p[i] == 0 && p[i + 1] == 0 && p[i + 2] == 1 {
                    visit(p[i + 3], i + 4 < p.count ? p[i + 4] : 0)
                    i += 3
                } else {
                    i += 1
                }
            }
            return true
        }
    }

    // MARK: - H.264

    private static func h264NonReference(_ p: UnsafeBufferPointer<UInt8>, _ framing: Framing) -> Bool {
        var slices = 0, others = 0
        let parsed = forEachNALHeader(p, framing) { header, _ in
            let type = header & 0x1F, refIDC = (header >> 5) & 3
            switch type {
            case _ where header & 0x80 != 0: others += 1  // forbidden_zero_bit set: damaged
            case 1 where refIDC == 0: slices += 1          // non-IDR slice, not a reference
            case 6, 9, 12: break                           // SEI, access unit delimiter, filler
            default: others += 1                           // reference slices, IDR, partitions, parameter sets, …
            }
        }
        return parsed && slices > 0 && others == 0
    }

    // MARK: - HEVC

    /// A packet's temporal layers: the highest TemporalId among its slices (−1 if none), and, if it
    /// is a sub-layer non-reference picture and nothing else, its TemporalId.
    private struct HEVCLayer {
        var highestTemporalID = -1
        var nonReferenceTemporalID: Int?
    }

    /// Nil when the packet does not parse.
    private static func hevcLayer(_ p: UnsafeBufferPointer<UInt8>, _ framing: Framing) -> HEVCLayer? {
        var layer = HEVCLayer()
        var slices = 0, others = 0, temporalIDs = Set<Int>()
        let parsed = forEachNALHeader(p, framing) { first, second in
            let type = (first >> 1) & 0x3F
            let layerID = Int(first & 1) << 5 | Int(second >> 3)
            let temporalID = Int(second & 7) - 1
            guard first & 0x80 == 0, layerID == 0, temporalID >= 0 else { others += 1; return }
            if type < 32 { layer.highestTemporalID = max(layer.highestTemporalID, temporalID) }
            switch type {
            case 0, 2, 4, 6, 8:  // TRAIL_N, TSA_N, STSA_N, RADL_N, RASL_N
                slices += 1
                temporalIDs.insert(temporalID)
            case 35, 38, 39, 40: break  // access unit delimiter, filler, prefix and suffix SEI
            default: others += 1
            }
        }
        guard parsed else { return nil }
        if slices > 0 && others == 0 && temporalIDs.count == 1 { layer.nonReferenceTemporalID = temporalIDs.first }
        return layer
    }
}
