/// A label set shipped with the model as `labelsets/NAME.json` (the body of a
/// `PUT /v1/labelsets/NAME`, read-only in `stclip serve`).
public struct LabelSetSummary: Sendable, Equatable, Encodable {
    /// The file name without `.json`.
    public let name: String
    /// The class names, in the file's order.
    public let labels: [String]
}
