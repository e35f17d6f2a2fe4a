/// Bounds on what one sampling request may cost. Every bound is checked before the work it
/// bounds: bytes before opening, streams and pixels before opening a decoder, duration after the
/// packet scan, and time in the read callback, the demux loop and the decode loop.
public struct VideoLimits: Sendable, Equatable {
    /// Largest accepted input, in bytes (the buffer, or the file's size). The video stream's
    /// packets are held in memory for the length of a request, so this also bounds that memory.
    public var maxBytes: Int
    /// Largest accepted frame, width × height of the coded picture.
    public var maxPixels: Int
    /// Longest accepted video, in seconds of presentation time.
    public var maxDuration: Double
    /// Most frames (packets of the video stream) a video may have.
    public var maxFrames: Int
    /// Most streams (of any kind) a container may declare.
    public var maxStreams: Int
    /// Demuxers that may parse the input, by FFmpeg short name (a demuxer called
    /// `"mov,mp4,m4a,3gp,3g2,mj2"` matches if any of its names is listed).
    public var containers: Set<String>
    /// Codecs that may be decoded, by FFmpeg codec name (`avcodec_get_name`).
    public var codecs: Set<String>
    /// Bytes FFmpeg may read to recognise the container and to find stream parameters.
    public var probeBytes: Int
    /// Wall-clock seconds for opening, scanning and decoding together.
    public var decodeTimeBudget: Double

    /// Video containers from the issue (mp4/mov, mkv/webm, avi), plus mp3 and wav, so that audio
    /// uploads are told they have no video stream rather than that their container is unknown.
    public static let defaultContainers: Set<String> = ["mov", "mp4", "matroska", "webm", "avi", "mp3", "wav"]
    /// The codecs from the issue that Debian's FFmpeg 5.1 decodes, plus MPEG-1/2 video.
    public static let defaultCodecs: Set<String> = ["h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mjpeg", "mpeg1video", "mpeg2video"]

    public init(maxBytes: Int = 512 << 20, maxPixels: Int = 4096 * 2304, maxDuration: Double = 3600, maxFrames: Int = 500_000,
                maxStreams: Int = 16, containers: Set<String> = VideoLimits.defaultContainers,
                codecs: Set<String> = VideoLimits.defaultCodecs, probeBytes: Int = 5 << 20,
                decodeTimeBudget: Double = 120) {
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
        self.maxDuration = maxDuration
        self.maxFrames = maxFrames
        self.maxStreams = maxStreams
        self.containers = containers
        self.codecs = codecs
        self.probeBytes = probeBytes
        self.decodeTimeBudget = decodeTimeBudget
    }

    /// Limits for an upload service: 4K frames, 512 MiB, an hour, two minutes of work.
    public static let `default` = VideoLimits()
}
