import CFFmpeg
@testable import STClipVideo
import XCTest

/// Which packets count as non-reference pictures, from hand-built NAL units: the rules of
/// `NonReferencePackets` one by one, in both framings, and every malformed packet kept.
final class NonReferencePacketsTests: XCTestCase {
    /// avcC with 4-byte lengths, and with 2-byte lengths.
    private let avcC4: [UInt8] = [1, 0x64, 0, 0x1F, 0xFF, 0xE0, 0]
    private let avcC2: [UInt8] = [1, 0x64, 0, 0x1F, 0xFD, 0xE0, 0]
    /// hvcC with 4-byte lengths (lengthSizeMinusOne 3 in byte 21).
    private let hvcC: [UInt8] = [1] + [UInt8](repeating: 0, count: 20) + [0x0F, 0]

    private func lengthPrefixed(_ units: [[UInt8]], width: Int = 4) -> [UInt8] {
        units.flatMap { unit in (0..<width).reversed().map { UInt8(truncatingIfNeeded: unit.count >> (8 * $0)) } + unit }
    }

    private func annexB(_ units: [[UInt8]]) -> [UInt8] {
        units.enumerated().flatMap { i, unit in (i == 0 ? [0, 0, 0, 1] : [0, 0, 1]) + unit }
    }

    private func find(_ codec: AVCodecID, _ extradata: [UInt8], _ packets: [[UInt8]]) -> [Bool] {
        extradata.withUnsafeBufferPointer { extra in
            let copies = packets.map { p in
                let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, p.count))
                _ = buffer.initialize(from: p)
                return buffer
            }
            defer { copies.forEach { $0.deallocate() } }
            return NonReferencePackets.find(codec: codec, extradata: extra,
                                            packets: copies.enumerated().map { UnsafeBufferPointer(start: $1.baseAddress, count: packets[$0].count) })
        }
    }

    // H.264 NAL headers: forbidden bit, nal_ref_idc (2 bits), type (5 bits).
    private func h264(_ type: UInt8, ref: UInt8) -> [UInt8] { [ref << 5 | type, 0x88, 0x84, 0x21] }

    func testH264NonReferenceSlices() {
        let nonRef = h264(1, ref: 0), ref = h264(1, ref: 2), idr = h264(5, ref: 3)
        let sei = h264(6, ref: 0), aud = h264(9, ref: 0), sps = h264(7, ref: 3), partition = h264(2, ref: 0)
        let packets: [[[UInt8]]] = [[idr], [ref], [nonRef], [aud, sei, nonRef], [nonRef, nonRef], [sps, nonRef], [nonRef, ref], [partition], [sei], []]
        let expected = [false, false, true, true, true, false, false, false, false, false]
        XCTAssertEqual(find(AV_CODEC_ID_H264, avcC4, packets.map { lengthPrefixed($0) }), expected, "avcC, 4-byte lengths")
        XCTAssertEqual(find(AV_CODEC_ID_H264, avcC2, packets.map { lengthPrefixed($0, width: 2) }), expected, "avcC, 2-byte lengths")
        XCTAssertEqual(find(AV_CODEC_ID_H264, [], packets.map(annexB)), expected, "Annex B")
        XCTAssertEqual(find(AV_CODEC_ID_H264, [0, 0, 0, 1, 0x67], packets.map(annexB)), expected, "Annex B extradata")
    }

    func testH264MalformedPacketsAreKept() {
        let nonRef = h264(1, ref: 0)
        let whole = lengthPrefixed([nonRef])
        let cases: [[UInt8]] = [
            Array(whole.dropLast()),          // the unit runs past the packet
            whole + [0, 0],                   // trailing bytes shorter than a length field
            [0, 0, 0, 0] + whole,             // an empty unit
            [0x80 | nonRef[0]] + [0, 0, 0],   // no length at all
            lengthPrefixed([[0x80 | 1, 0x88]]), // forbidden_zero_bit set
        ]
        XCTAssertEqual(find(AV_CODEC_ID_H264, avcC4, cases), [false, false, false, false, false])
        // Annex B: data before the first start code, or none at all.
        XCTAssertEqual(find(AV_CODEC_ID_H264, [], [[7] + annexB([nonRef]), nonRef, [0, 1] + nonRef]), [false, false, false])
        // An avcC too short to be one means Annex B, which these length-prefixed bytes are not.
        XCTAssertEqual(find(AV_CODEC_ID_H264, [1, 0x64], [whole]), [false])
    }

    // HEVC NAL headers: forbidden bit, type (6 bits), layer id (6 bits), TemporalId + 1 (3 bits).
    private func hevc(_ type: UInt8, tid: UInt8 = 0, layer: UInt8 = 0) -> [UInt8] {
        [type << 1 | layer >> 5, (layer & 31) << 3 | (tid + 1), 0xAF, 0x01]
    }

    func testHEVCSubLayerNonReferencePictures() {
        let trailN = hevc(0), trailR = hevc(1), radlN = hevc(6), raslN = hevc(8), tsaN = hevc(2), cra = hevc(21)
        let sei = hevc(39), aud = hevc(35), pps = hevc(34), reserved = hevc(10)
        let packets: [[[UInt8]]] = [[cra], [trailR], [trailN], [aud, trailN, sei], [radlN], [raslN], [tsaN], [pps, trailN],
                                  [reserved], [trailN, trailR], [hevc(0, layer: 1)]]
        let expected = [false, false, true, true, true, true, true, false, false, false, false]
        XCTAssertEqual(find(AV_CODEC_ID_HEVC, hvcC, packets.map { lengthPrefixed($0) }), expected, "hvcC")
        XCTAssertEqual(find(AV_CODEC_ID_HEVC, [], packets.map(annexB)), expected, "Annex B")
    }

    func testHEVCOnlyTheHighestSubLayerIsDropped() {
        // A TRAIL_N at TemporalId 0 may be a reference for a picture at TemporalId 1.
        let packets = [[hevc(19)], [hevc(1)], [hevc(0)], [hevc(0, tid: 1)], [hevc(1, tid: 1)]].map { lengthPrefixed($0) }
        XCTAssertEqual(find(AV_CODEC_ID_HEVC, hvcC, packets), [false, false, false, true, false])
        // One packet that does not parse may hide a higher sub-layer: nothing is dropped.
        XCTAssertEqual(find(AV_CODEC_ID_HEVC, hvcC, [lengthPrefixed([hevc(0)]), [0, 0, 0, 9, 1]]), [false, false])
        // hvcC too short to hold its length size.
        XCTAssertEqual(find(AV_CODEC_ID_HEVC, Array(hvcC.prefix(10)), [lengthPrefixed([hevc(0)])]), [false])
    }

    func testOtherCodecsHaveNone() {
        XCTAssertEqual(find(AV_CODEC_ID_MPEG4, [], [[0, 0, 1, 0xB6, 0x80]]), [false])
        XCTAssertEqual(find(AV_CODEC_ID_VP9, [], [[0x86, 0, 0]]), [false])
    }
}
