/// Why the service could not start: the model, the label store or the listening socket.
public enum ServiceStartupError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The model directory is missing, unreadable or inconsistent.
    case model(String)
    /// The label store cannot be opened, migrated or reached.
    case labelStore(String)
    /// A built-in label set file is malformed.
    case builtinLabelSet(String)

    public var description: String {
        switch self {
        case let .model(detail): return "model: \(detail)"
        case let .labelStore(detail): return "label store: \(detail)"
        case let .builtinLabelSet(detail): return "built-in label set: \(detail)"
        }
    }
}
