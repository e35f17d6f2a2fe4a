/// Errors in an evaluation list, found before any video is decoded so that a long run does not stop
/// half way on a typo.
enum EvalError: Error, Equatable, CustomStringConvertible {
    /// One thing wrong with one line of the list (1-based line numbers).
    struct Problem: Equatable, CustomStringConvertible {
        enum Kind: Equatable {
            /// No tab between the path and the label.
            case noTab
            /// The path or the label is empty.
            case emptyField
            /// The label names no class of the label set.
            case unknownLabel(String)
            /// No file at the path (after resolving it against the list's directory).
            case missingVideo(String)
        }

        let line: Int
        let kind: Kind

        var description: String {
            switch kind {
            case .noTab: return "line \(line): expected \"path<TAB>label\""
            case .emptyField: return "line \(line): empty path or label"
            case let .unknownLabel(label): return "line \(line): unknown label \"\(label)\""
            case let .missingVideo(path): return "line \(line): no such file \(path)"
            }
        }
    }

    /// The list cannot be read.
    case unreadableList(path: String, detail: String)
    /// The list holds no video.
    case emptyList(path: String)
    /// Lines of the list are wrong; every problem is listed.
    case invalidList(path: String, labelSet: String, problems: [Problem])
    /// The frame count does not fit the model.
    case framesMismatch(modelType: String, required: Int, given: Int)

    /// How many problems the one-line description spells out.
    static let problemsShown = 5

    var description: String {
        switch self {
        case let .unreadableList(path, detail):
            return "\(path): cannot read the list: \(detail)"
        case let .emptyList(path):
            return "\(path): no \"path<TAB>label\" lines"
        case let .invalidList(path, labelSet, problems):
            let shown = problems.prefix(Self.problemsShown).map(\.description).joined(separator: "; ")
            let more = problems.count > Self.problemsShown ? "; and \(problems.count - Self.problemsShown) more" : ""
            return "\(path): \(problems.count) bad line\(problems.count == 1 ? "" : "s") (label set \(labelSet)): \(shown)\(more)"
        case let .framesMismatch(modelType, required, given):
            return "--frames \(given): a \(modelType) model takes exactly \(required) frames per clip"
        }
    }
}
