/// Failures of a label store operation.
public enum LabelStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case labelSetNotFound(String)
    case labelNotFound(set: String, label: String)
    /// The `If-Match` / `If-None-Match` condition failed; `current` is the set's version (`nil`: absent).
    case preconditionFailed(current: Int?)
    /// The database cannot be reached or failed; `detail` is for the log, not the client.
    case unavailable(String)
    /// Stored data does not decode (a vector of the wrong size, say).
    case corrupt(String)

    public var description: String {
        switch self {
        case let .labelSetNotFound(name): return "no label set named '\(name)'"
        case let .labelNotFound(set, label): return "label set '\(set)' has no label '\(label)'"
        case let .preconditionFailed(current):
            return current.map { "label set is at version \($0)" } ?? "label set does not exist"
        case let .unavailable(detail): return "label store unavailable: \(detail)"
        case let .corrupt(detail): return "label store data is corrupt: \(detail)"
        }
    }
}
