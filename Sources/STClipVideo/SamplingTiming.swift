/// Where one sampling request spent its time, and how much decoding it did.
public struct SamplingTiming: Sendable, Equatable, Codable {
    /// Probing the container, reading its header and stream parameters.
    public var openSeconds: Double = 0
    /// Demuxing every packet of the video stream (no decoding).
    public var scanSeconds: Double = 0
    /// Decoding the chosen frames, until the decoder handed over the last of them. Their conversion
    /// to RGB and preprocessing run beside it on a second thread when the sampler has two
    /// (`decoderThreads` > 1), and within it otherwise.
    public var decodeSeconds: Double = 0
    /// Converting and preprocessing (resizing, cropping, normalising) left to do after the decoder
    /// handed over the last frame.
    public var preprocessSeconds: Double = 0
    /// CPU seconds the whole process used during the request, all threads together (decoder
    /// threads included; so is anything else the process ran meanwhile, such as other requests).
    public var processCPUSeconds: Double = 0
    /// Packets fed to the decoder.
    public var packetsDecoded: Int = 0
    /// Non-reference pictures (H.264, HEVC) passed over unsent because their frames were not wanted.
    public var packetsDropped: Int = 0
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
