/// A label set as the API returns it.
struct LabelSetDocument: Encodable, Sendable {
    var name: String
    var version: Int
    var builtin: Bool
    /// How class embeddings are made: `name`, `templates`, `descriptions` or `all`.
    var embeddingMode: String
    var labels: [LabelDocument]

    enum CodingKeys: String, CodingKey {
        case name, version, builtin, labels
        case embeddingMode = "embedding_mode"
    }

    /// `sources`: where the descriptions of the labels a registration registered came from.
    init(_ set: LabelSet, sources: [String: DescriptionSource] = [:]) {
        name = set.name
        version = set.version
        builtin = set.builtin
        embeddingMode = set.embeddingMode.rawValue
        labels = set.labels.map { LabelDocument($0, source: sources[$0.label]) }
    }
}
