import STClipModels

/// The body of `PUT /v1/labelsets/{name}`:
/// `{"labels": [{"label": "...", "descriptions": [...]}], "embedding_mode": "name"}`.
struct LabelSetBody: Decodable, Sendable {
    var labels: [LabelEntry]
    /// `name` (the default), `templates`, `descriptions` or `all`.
    var embeddingMode: ClassEmbeddingMode?

    enum CodingKeys: String, CodingKey {
        case labels
        case embeddingMode = "embedding_mode"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        labels = try c.decode([LabelEntry].self, forKey: .labels)
        // Absent means the default; `null` is refused like any other value that is not a mode.
        embeddingMode = c.contains(.embeddingMode) ? try c.decode(ClassEmbeddingMode.self, forKey: .embeddingMode) : nil
    }
}
