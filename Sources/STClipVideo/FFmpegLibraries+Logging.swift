import CFFmpeg

extension FFmpegLibraries {
    /// How much FFmpeg writes to stderr, for the whole process.
    public enum LogLevel: Sendable {
        /// Nothing: hostile input is reported through `VideoError`, not the log.
        case quiet
        /// Errors only.
        case error
        /// FFmpeg's default (info).
        case info

        var value: Int32 {
            switch self {
            case .quiet: return AV_LOG_QUIET
            case .error: return AV_LOG_ERROR
            case .info: return AV_LOG_INFO
            }
        }
    }

    /// Sets FFmpeg's process-wide log level (`av_log_set_level`).
    public static var logLevel: LogLevel {
        get {
            let v = av_log_get_level()
            return v <= AV_LOG_QUIET ? .quiet : v <= AV_LOG_ERROR ? .error : .info
        }
        set { av_log_set_level(newValue.value) }
    }
}
