/// Where one sampling request spent its time, and how much decoding it did.
public struct SamplingTiming: Sendable, Equatable, Codable {
    /// Probing the container, reading its header and stream parameters.
    public var openSeconds: Double = 0
    /// Demuxing every packet of the video stream (no decoding).
    public var scanSeconds: Double = 0
    /// Decoding and converting the chosen frames to RGB (preprocessing excluded).
    public var decodeSeconds: Double = 0
    /// Resizing, cropping and normalising.
    public var preprocessSeconds: Double = 0
    /// CPU seconds the whole process used during the request, all threads together (decoder
    /// threads included; so is anything else the process ran meanwhile, such as other requests).
    public var processCPUSeconds: Double = 0
    /// Packets fed to the decoder.
    public var packetsDecoded: Int = 0
    /// Frames the decoder returned (frames skipped as unreferenced excluded).
    public var framesDecoded: Int = 0
    /// Times the decoder was flushed and restarted at a keyframe.
    public var seeks: Int = 0
    /// Packets or frames the decoder reported as damaged. Damage is concealed by the decoder, and a
    /// wanted frame that never appears is replaced by the frame shown before it; a damaged video
    /// that yields no wanted frame at all fails with `.corrupt`.
    public var decodeErrors: Int = 0

    public init() {}

    /// All of it.
    public var totalSeconds: Double { openSeconds + scanSeconds + decodeSeconds + preprocessSeconds }
}
