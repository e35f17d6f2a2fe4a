import Foundation

/// Where the video's bytes come from.
public enum VideoSource: Sendable {
    /// An upload held in memory; FFmpeg reads it through a custom AVIOContext.
    case data(Data)
    /// A file on disk, opened by FFmpeg's `file` protocol.
    case file(path: String)
}
