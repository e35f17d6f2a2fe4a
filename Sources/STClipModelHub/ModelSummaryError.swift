/// Errors raised while describing a model directory that the checkpoint and model layers' own
/// errors do not cover.
public enum ModelSummaryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A file in `labelsets/` is not `{"labels": [{"label": "…"}, …]}`; `reason` says how.
    case badLabelSet(path: String, reason: String)

    public var description: String {
        switch self {
        case let .badLabelSet(path, reason): return "\(path): not a label set document: \(reason)"
        }
    }
}
