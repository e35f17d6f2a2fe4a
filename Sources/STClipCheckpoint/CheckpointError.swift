/// Errors raised while reading a checkpoint directory (safetensors files and JSON configs).
public enum CheckpointError: Error, Equatable, Sendable {
    /// A required file is absent from the checkpoint directory.
    case missingFile(path: String)
    /// A file could not be opened, measured or mapped; `reason` is the system's message.
    case unreadableFile(path: String, reason: String)
}
