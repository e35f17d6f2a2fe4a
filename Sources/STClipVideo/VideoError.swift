/// Everything that can go wrong turning bytes into sampled frames. Every case is the caller's
/// input or the caller's limits, except `.ffmpeg`, which is a library call failing for a reason
/// that says nothing about the input (out of memory, say).
public enum VideoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The bytes are not a media file any FFmpeg demuxer recognises (empty, random, a text file).
    case notAVideo(detail: String)
    /// The container was recognised but is not on `VideoLimits.containers`.
    case unsupportedContainer(name: String)
    /// The file holds no decodable video: audio only, or only cover art
    /// (`AV_DISPOSITION_ATTACHED_PIC`).
    case noVideoStream(detail: String)
    /// The video stream's codec is not on `VideoLimits.codecs`, or this FFmpeg has no decoder for it.
    case unsupportedCodec(name: String)
    /// The file is truncated or damaged: its header does not parse, or no requested frame decodes.
    case corrupt(detail: String)
    /// The input exceeds a size limit: bytes, pixels per frame, or number of streams.
    case tooLarge(detail: String)
    /// The video runs longer than `VideoLimits.maxDuration` seconds.
    case tooLong(seconds: Double, limit: Double)
    /// Opening, scanning and decoding took longer than `VideoLimits.decodeTimeBudget` seconds.
    case timedOut(budget: Double)
    /// The caller asked for something that cannot be sampled (zero frames, an unsupported resampler).
    case invalidRequest(detail: String)
    /// The file at `path` could not be read; `reason` is the system's message.
    case io(path: String, reason: String)
    /// An FFmpeg call failed in a way that is not the input's fault; `message` is `av_strerror`'s text.
    case ffmpeg(function: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case let .notAVideo(detail): return "not a video: \(detail)"
        case let .unsupportedContainer(name): return "unsupported container '\(name)'"
        case let .noVideoStream(detail): return "no video stream: \(detail)"
        case let .unsupportedCodec(name): return "unsupported video codec '\(name)'"
        case let .corrupt(detail): return "truncated or corrupt video: \(detail)"
        case let .tooLarge(detail): return "video too large: \(detail)"
        case let .tooLong(seconds, limit): return "video too long: \(seconds) s (limit \(limit) s)"
        case let .timedOut(budget): return "video decoding timed out (budget \(budget) s)"
        case let .invalidRequest(detail): return "invalid sampling request: \(detail)"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .ffmpeg(function, code, message): return "\(function) failed: \(message) (\(code))"
        }
    }
}
