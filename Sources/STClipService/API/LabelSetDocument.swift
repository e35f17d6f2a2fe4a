/// A label set as the API returns it.
struct LabelSetDocument: Encodable, Sendable {
    var name: String
    var version: Int
    var builtin: Bool
    /// How class embeddings are made: `label` (the label text's embedding).
    var embeddingMode: String
    var labels: [LabelEntry]

    enum CodingKeys: String, CodingKey {
        case name, version, builtin, labels
        case embeddingMode = "embedding_mode"
    }

    init(_ set: LabelSet) {
        name = set.name
        version = set.version
        builtin = set.builtin
        embeddingMode = set.embeddingMode.rawValue
        labels = set.labels
    }
}
