/// The video stream's packets in decode order, and their timeline.
struct PacketScan {
    let packets: [Packet]
    let timeline: Timeline
}
