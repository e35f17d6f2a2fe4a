/// Errors raised while finding or reading a built-in label set.
public enum LabelSetError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No built-in label set has this name.
    case unknownLabelSet(name: String, available: [String])
    /// The label set's data file is missing from the resource bundle or cannot be read.
    case unreadable(name: String, detail: String)
    /// The data file was read but does not hold a valid label set; `detail` says why.
    case invalid(name: String, detail: String)

    public var description: String {
        switch self {
        case let .unknownLabelSet(name, available):
            return "unknown label set \"\(name)\" (built in: \(available.joined(separator: ", ")))"
        case let .unreadable(name, detail):
            return "label set \(name): cannot read its data: \(detail)"
        case let .invalid(name, detail):
            return "label set \(name): \(detail)"
        }
    }
}
