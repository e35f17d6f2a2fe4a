import CFFmpeg

/// Versions of the FFmpeg libraries this process is linked against.
public enum FFmpegLibraries {
    /// `"libavformat 59.27.100, libavcodec …"` as reported by the libraries at run time.
    public static var versions: String {
        func format(_ name: String, _ v: UInt32) -> String { "\(name) \(v >> 16).\((v >> 8) & 0xff).\(v & 0xff)" }
        return [
            format("libavformat", avformat_version()),
            format("libavcodec", avcodec_version()),
            format("libavutil", avutil_version()),
            format("libswscale", swscale_version()),
        ].joined(separator: ", ")
    }
}
